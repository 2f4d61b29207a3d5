import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, api } from "../api/client";
import { authoring, type DraftView } from "../api/authoring";
import type { ChangeKind, PreviewResult } from "../api/staff";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { field, joinModule, splitModule, withField, type ModuleFile } from "./frontMatter";
import { MODULE_KIND } from "./Library";
import { sourceProblems } from "./logic";
import { ChangeKindField } from "./ChangeKindField";

const CLIENT_KINDS = ["product", "sales-message", "procedure", "policy"];

/**
 * Edits a module's draft, which agents never see: the front matter as fields,
 * the lesson with a live preview, the changes against the published version,
 * then publishing it as the next version. A save names the revision it
 * edited, so a colleague's save in between is reported, never overwritten.
 */
export function DraftEditor() {
  const { draftId = "" } = useParams();
  const [params] = useSearchParams();
  const programID = params.get("program");
  const navigate = useNavigate();
  const qc = useQueryClient();
  // Fetched afresh on every visit (no cache across visits): the text edited must be the revision saved last.
  const loaded = useQuery({ queryKey: ["draft", draftId], queryFn: () => authoring.get(draftId), staleTime: Infinity, gcTime: 0 });
  const [etag, setETag] = useState("");
  const [saved, setSaved] = useState<DraftView | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [change, setChange] = useState<ChangeKind | "">("");
  const [notice, setNotice] = useState("");
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const id = useId();

  useEffect(() => {
    if (loaded.data && text === null) {
      setETag(loaded.data.etag);
      setSaved(loaded.data.draft);
      setText(loaded.data.draft.source);
    }
  }, [loaded.data, text]);

  const file: ModuleFile | null = text === null ? null : splitModule(text);
  const body = file ? file.body : text ?? "";
  // Live preview of the lesson, a moment after typing stops.
  useEffect(() => {
    if (text === null) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api<PreviewResult>("/preview", { method: "POST", body: { markdown: body }, signal: ctl.signal }).then(setPreview, () => undefined);
    }, 400);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [body, text]);

  const diff = useQuery({
    queryKey: ["draft-diff", draftId, saved?.revision],
    queryFn: () => authoring.diff(draftId),
    enabled: !!saved,
  });
  const saver = useMutation({
    mutationFn: () => authoring.save(draftId, etag, text ?? ""),
    onSuccess: (d) => {
      setETag(d.etag);
      setSaved(d.draft);
      setNotice(`Draft saved (revision ${d.draft.revision}). Agents do not see it until it is published.`);
      qc.invalidateQueries({ queryKey: ["module-drafts"] });
    },
  });
  const publisher = useMutation({
    mutationFn: () => authoring.publish(draftId, etag, change),
    onSuccess: (m) => {
      qc.invalidateQueries({ queryKey: ["module-versions", m.id] });
      qc.invalidateQueries({ queryKey: ["module-source", m.id] });
      if (programID) qc.invalidateQueries({ queryKey: ["program", programID] });
      qc.invalidateQueries({ queryKey: ["module-drafts"] });
      navigate(`/library/modules/${m.id}${programID ? `?program=${programID}` : ""}`, { state: { notice: `Published version ${m.version.number} as a ${m.version.change_kind} change.` } });
    },
  });
  const discarder = useMutation({
    mutationFn: () => authoring.discard(draftId, etag),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["module-drafts"] });
      navigate(programID ? `/library/programs/${programID}` : "/library");
    },
  });
  const reload = async () => {
    const d = await authoring.get(draftId);
    setETag(d.etag);
    setSaved(d.draft);
    setText(d.draft.source);
    saver.reset();
    publisher.reset();
    setNotice(`Reloaded revision ${d.draft.revision}. Apply your edit again, then save.`);
  };

  const error = saver.error ?? publisher.error ?? discarder.error;
  const formRef = useFocusOnError(error);
  // A colleague's save is shown at the top of the page: take the reader there.
  const conflictRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    conflictRef.current?.focus();
  }, [error]);
  if (loaded.error) return <p role="alert" className="error">{loaded.error.message}</p>;
  if (!saved || text === null) return <p className="loading" role="status">Loading the draft…</p>;

  const fields = error instanceof ApiError ? error.fields : {};
  const conflict = error instanceof ApiError && error.code === "conflict" && !!fields["If-Match"];
  const { problems } = sourceProblems(error instanceof ApiError && error.code === "invalid" ? fields : saved.problems);
  const changedByOther = conflict ? Object.entries(fields).filter(([k]) => k !== "If-Match") : [];
  const dirty = text !== saved.source;
  const isNew = saved.published_version === 0;
  const core = saved.client_id === null;
  const set = (key: string, value: string) => file && setText(joinModule(withField(file, key, value)));
  const summary = error && !conflict && !problems.length && !fields.change ? error.message : null;

  return (
    <section>
      <p>{programID ? <Link to={`/library/programs/${programID}`}>← Program</Link> : <Link to="/library">← Content library</Link>}</p>
      <div className="page-head">
        <h1>{isNew ? "New module" : "Draft"}: {file ? field(file, "title") || saved.slug : saved.slug}</h1>
        <span className="hint">
          {saved.slug} · {isNew ? "not published yet" : `changes to version ${saved.published_version}`} · revision {saved.revision} · {core ? "core skill, every client" : "this client only"}
        </span>
      </div>
      <p role="status" className="notice-line">{notice}</p>
      {conflict && (
        <div role="alert" className="error" ref={conflictRef} tabIndex={-1}>
          <p>{error.message}</p>
          {changedByOther.length > 0 && (
            <ul>
              {changedByOther.map(([k, v]) => <li key={k}><strong>{k}</strong>: {v}</li>)}
            </ul>
          )}
          <button type="button" onClick={reload}>Reload the draft</button>
        </div>
      )}
      <form
        ref={formRef}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setNotice("");
          publisher.reset();
          saver.mutate();
        }}
      >
        <ErrorSummary summary={summary} />
        {file ? (
          <fieldset className="front-matter">
            <legend>About the module</legend>
            <Field label="Title">
              <input value={field(file, "title")} onChange={(e) => set("title", e.target.value)} />
            </Field>
            <Field label="Kind">
              <select value={field(file, "kind")} onChange={(e) => set("kind", e.target.value)} disabled={core}>
                {(core ? ["core-skill"] : CLIENT_KINDS).map((k) => <option key={k} value={k}>{MODULE_KIND[k] ?? k}</option>)}
              </select>
            </Field>
            <Field label="Summary" hint="One or two sentences agents see in the program's list.">
              <textarea rows={2} value={field(file, "summary")} onChange={(e) => set("summary", e.target.value)} />
            </Field>
            <Field label="Minutes to read">
              <input type="number" min={1} inputMode="numeric" value={field(file, "minutes")} onChange={(e) => set("minutes", e.target.value)} />
            </Field>
          </fieldset>
        ) : (
          <p className="hint">This file's front matter has values the fields cannot show; edit it as text below.</p>
        )}
        <div className="field">
          <label htmlFor={`${id}-body`}>{file ? "Lesson (markdown)" : "Module file (front matter and markdown)"}</label>
          <textarea
            id={`${id}-body`}
            className="source"
            rows={18}
            spellCheck
            value={body}
            onChange={(e) => setText(file ? joinModule({ ...file, body: e.target.value }) : e.target.value)}
            aria-invalid={problems.length ? true : undefined}
            aria-describedby={problems.length ? `${id}-problems` : undefined}
          />
          {problems.length > 0 && (
            <div id={`${id}-problems`} className="field-error">
              <p>{dirty ? "At the last save, publishing would refuse:" : "Publishing would refuse:"}</p>
              <ul className="problems">
                {problems.map((p) => <li key={`${p.line}:${p.message}`}>{p.line ? `Line ${p.line} of the file: ` : ""}{p.message}</li>)}
              </ul>
            </div>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saver.isPending || !dirty}>{saver.isPending ? "Saving…" : "Save draft"}</button>
          {!dirty && <span className="hint">All changes saved.</span>}
          <button type="button" className="danger" onClick={() => discarder.mutate()} disabled={discarder.isPending}>Discard draft</button>
        </div>
      </form>

      {preview && (
        <section className="panel preview" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`}>Live preview</h2>
          <div className="module-body reading" dangerouslySetInnerHTML={{ __html: preview.html }} />
        </section>
      )}

      <section className="changes" aria-labelledby={`${id}-diff`}>
        <h2 id={`${id}-diff`}>{isNew ? "The saved draft" : `Saved draft against version ${saved.published_version}`}</h2>
        {diff.data && diff.data.hunks.length === 0 && <p>No changes yet.</p>}
        {diff.data && diff.data.hunks.length > 0 && (
          <>
            <p className="hint">{diff.data.added} lines added, {diff.data.removed} removed.</p>
            <div className="diff">
              {(diff.data.hunks as unknown as { lines: { op: string; text: string }[] }[]).flatMap((h, i) => h.lines.map((l, j) =>
                l.op === "add" ? <ins key={`${i}.${j}`} className="diff-line add"><span className="sign" aria-hidden="true">+</span><span className="sr-only">Added: </span>{l.text || " "}</ins>
                  : l.op === "del" ? <del key={`${i}.${j}`} className="diff-line del"><span className="sign" aria-hidden="true">−</span><span className="sr-only">Removed: </span>{l.text || " "}</del>
                    : <span key={`${i}.${j}`} className="diff-line ctx"><span className="sign" aria-hidden="true"> </span>{l.text || " "}</span>))}
            </div>
          </>
        )}
      </section>

      <form
        className="panel"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          saver.reset();
          publisher.mutate();
        }}
      >
        <h2>Publish</h2>
        <ChangeKindField value={change} onChange={setChange} error={fields.change} errorId={`${id}-change-error`} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={publisher.isPending || dirty}>
            {publisher.isPending ? "Publishing…" : isNew ? "Publish version 1" : `Publish version ${saved.published_version + 1}`}
          </button>
          {dirty && <span className="hint">Save the draft before publishing it.</span>}
        </div>
      </form>
    </section>
  );
}
