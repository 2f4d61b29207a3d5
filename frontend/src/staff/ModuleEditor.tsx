import { useEffect, useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { authoring } from "../api/authoring";
import { useSession } from "../auth/session";
import { ApiError } from "../api/client";
import { staff, type ChangeKind, type PreviewResult } from "../api/staff";
import { ErrorSummary, useFocusOnError } from "../components/Field";
import { formatDateTime } from "../lib/format";
import { sourceProblems } from "./logic";
import { ChangeKindField } from "./ChangeKindField";

/**
 * Edits a module's file (front matter and markdown): preview it as
 * publishing would check it, then publish it as a minor or material change.
 */
export function ModuleEditor() {
  const { moduleId = "" } = useParams();
  const [params] = useSearchParams();
  const programID = params.get("program");
  const qc = useQueryClient();
  const mod = useQuery({ queryKey: ["module-source", moduleId], queryFn: () => staff.source(moduleId) });
  const versions = useQuery({ queryKey: ["module-versions", moduleId], queryFn: () => staff.versions(moduleId) });
  const [text, setText] = useState<string | null>(null);
  const [change, setChange] = useState<ChangeKind | "">("");
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const location = useLocation();
  const [notice, setNotice] = useState((location.state as { notice?: string } | null)?.notice ?? "");
  const navigate = useNavigate();
  const { me } = useSession();
  const drafter = useMutation({
    mutationFn: () => authoring.start({ module_id: moduleId }),
    onSuccess: (d) => navigate(`/library/drafts/${d.draft.id}${programID ? `?program=${programID}` : ""}`),
  });
  const sourceID = useId();
  const problemsID = `${sourceID}-problems`;
  const changeErrorID = `${sourceID}-change-error`;

  useEffect(() => {
    if (mod.data && text === null) setText(mod.data.source);
  }, [mod.data, text]);
  // A new preview takes the focus (and the view), so it is seen and announced.
  useEffect(() => {
    const title = preview ? document.getElementById("preview-title") : null;
    if (!title) return;
    title.focus({ preventScroll: true });
    title.scrollIntoView?.({ block: "start" });
  }, [preview]);

  const previewer = useMutation({
    mutationFn: () => staff.preview(moduleId, text ?? ""),
    onSuccess: (p) => setPreview(p),
    onError: () => setPreview(null),
  });
  const publisher = useMutation({
    mutationFn: () => staff.publish(moduleId, text ?? "", change),
    onSuccess: (m) => {
      setNotice(`Published version ${m.version.number} as a ${m.version.change_kind} change.`);
      setChange("");
      setPreview(null);
      qc.invalidateQueries({ queryKey: ["module-versions", moduleId] });
      qc.invalidateQueries({ queryKey: ["module-source", moduleId] });
      if (programID) qc.invalidateQueries({ queryKey: ["program", programID] });
    },
  });
  const error = publisher.error ?? previewer.error;
  const formRef = useFocusOnError(error);

  if (mod.error) return <p role="alert" className="error">{mod.error.message}</p>;
  if (!mod.data || text === null) return <p className="loading" role="status">Loading the module…</p>;
  const m = mod.data;
  const fields = error instanceof ApiError ? error.fields : {};
  const { problems, other } = sourceProblems(fields);
  const changeError = other.change;
  const rest = Object.entries(other).filter(([k]) => k !== "change" && k !== "markdown").map(([k, v]) => `${k}: ${v}`);
  const summary = error && !problems.length && !changeError && !other.markdown ? error.message : null;
  const dirty = text !== m.source;
  // Core content serves every client: only admins change it (docs/authoring.md, "Who may change what").
  if (m.core && me?.role !== "admin") {
    return (
      <section>
        <p>{programID ? <Link to={`/library/programs/${programID}`}>← Program</Link> : <Link to="/library">← Content library</Link>}</p>
        <div className="page-head">
          <h1>{m.version.title}</h1>
          <span className="hint">{m.slug} · current version {m.version.number} · core skill</span>
        </div>
        <p className="notice-line" role="note">
          This is a core module: every client's agents read it and are certified against it, so only an admin may change it.
          Ask an admin if something in it needs correcting.
        </p>
        <div className="module-body reading" dangerouslySetInnerHTML={{ __html: m.version.html }} />
      </section>
    );
  }

  return (
    <section>
      <p>{programID ? <Link to={`/library/programs/${programID}`}>← Program</Link> : <Link to="/library">← Content library</Link>}</p>
      <div className="page-head">
        <h1>{m.version.title}</h1>
        <span className="hint">{m.slug} · current version {m.version.number} ({m.version.change_kind}) · {m.core ? "core skill" : m.kind}</span>
      </div>
      <p role="status" className="notice-line">{notice}</p>
      <p>
        <button type="button" onClick={() => drafter.mutate()} disabled={drafter.isPending}>
          {drafter.isPending ? "Opening…" : "Edit as a draft"}
        </button>{" "}
        <span className="hint">Save your work over several sittings, with the front matter as fields and the changes shown before publishing.</span>
        {drafter.error && <span role="alert" className="field-error"> {drafter.error.message}</span>}
      </p>
      <div className="editor-grid">
        <form
          ref={formRef}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setNotice("");
            publisher.mutate();
          }}
        >
          <ErrorSummary summary={summary} other={rest} />
          <div className="field">
            <label htmlFor={sourceID}>Module file (front matter and markdown)</label>
            <p className="hint" id={`${sourceID}-hint`}>Edit the text, preview it, then publish it as a new version. Published versions never change.</p>
            <textarea
              id={sourceID}
              className="source"
              rows={24}
              spellCheck
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={problems.length || other.markdown ? true : undefined}
              aria-describedby={[`${sourceID}-hint`, problems.length || other.markdown ? problemsID : ""].filter(Boolean).join(" ")}
            />
            {(problems.length > 0 || other.markdown) && (
              <div id={problemsID} className="field-error">
                {other.markdown && <p>{other.markdown}</p>}
                {problems.length > 0 && (
                  <ul className="problems">
                    {problems.map((p) => <li key={`${p.line}:${p.message}`}>{p.line ? `Line ${p.line}: ` : ""}{p.message}</li>)}
                  </ul>
                )}
              </div>
            )}
          </div>
          <ChangeKindField value={change} onChange={setChange} error={changeError} errorId={changeErrorID} />
          <div className="form-actions">
            <button type="button" onClick={() => { setNotice(""); publisher.reset(); previewer.mutate(); }} disabled={previewer.isPending}>
              {previewer.isPending ? "Checking…" : "Preview"}
            </button>
            <button type="submit" className="primary" disabled={publisher.isPending || !dirty}>
              {publisher.isPending ? "Publishing…" : `Publish version ${m.version.number + 1}`}
            </button>
            {!dirty && <span className="hint">Change the text to publish a new version.</span>}
          </div>
        </form>
        <aside aria-label="Versions" className="panel versions">
          <h2>Versions</h2>
          {versions.isPending && <p className="loading" role="status">Loading…</p>}
          <ol reversed>
            {versions.data?.map((v) => (
              <li key={v.number}>
                <strong>v{v.number}</strong> <span className={`badge ${v.change_kind === "material" ? "warn" : "off"}`}>{v.change_kind}</span>
                <br /><span className="hint">{formatDateTime(v.created_at)} · {v.published_kind === "system" ? "imported" : "published"}</span>
              </li>
            ))}
          </ol>
        </aside>
      </div>
      {preview && (
        <section className="panel preview" aria-labelledby="preview-title">
          <h2 id="preview-title" tabIndex={-1}>Preview: {preview.title ?? m.version.title}</h2>
          <p className="hint">{preview.summary} {preview.minutes ? `· ${preview.minutes} min` : ""} · not published yet</p>
          <div className="module-body reading" dangerouslySetInnerHTML={{ __html: preview.html }} />
        </section>
      )}
    </section>
  );
}
