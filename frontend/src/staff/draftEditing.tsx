// The library draft flow every staff editor shares (quiz, bank, program, role-play): the draft loaded once,
// its etag kept from save to save, Save / Check / Publish / Discard sending If-Match, the text saved first
// when Check or Publish finds it changed, drafts published along (a program listing a new quiz), a 409
// reported with the way to reload, and the problems a check or a refused publish names. Each editor keeps its
// own words and layout; the Save / Check / Publish / Discard bar is shared where the UI is the same (quiz,
// bank). See docs/authoring.md.
import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import type { ApiError } from "../api/client";
import type { ImportReport } from "../api/authoring";
import { draftKeys, drafts, isStale, problemsOf, type DraftCheck, type LibraryDraft, type LibraryProblem } from "../api/drafts";

/** The draft being edited: loaded once (a colleague's save never replaces the text being edited) and its text as edited here. */
export function useDraftText(draftId: string) {
  const loaded = useQuery({ queryKey: draftKeys.draft(draftId), queryFn: () => drafts.get(draftId), staleTime: Infinity, gcTime: 0 });
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (loaded.data && text === null) setText(loaded.data.body);
  }, [loaded.data, text]);
  return { loaded, draft: loaded.data, text, setText };
}

/** One step of the flow, as a failure names it. */
export type DraftStep = "Save" | "Check" | "Publish" | "Discard";

/** What the notice line says after a step; the quiz and bank editors' words unless an editor gives its own. */
export interface DraftWords {
  saved: (d: LibraryDraft) => string;
  checked: (c: DraftCheck) => string;
  published: (r: ImportReport) => string;
  reloaded: (d: LibraryDraft) => string;
}

const QUIZ_WORDS: DraftWords = {
  saved: () => "Saved.",
  checked: (c) => (c.ok ? "The check found no problems: it can be published." : `The check found ${c.problems.length} problem(s).`),
  published: (r) => `Published: ${r.created} created, ${r.changed} changed.`,
  reloaded: () => "Reloaded the draft as saved last.",
};

export interface DraftEditingOptions {
  /** The ids of other drafts checked and published with this one (a program draft that lists a new quiz). */
  publishWith?: () => string[] | Promise<string[]>;
  words?: Partial<DraftWords>;
  /** After publishing; without it the editor stays and the notice says what was imported. */
  onPublished?: (report: ImportReport) => void | Promise<void>;
  /** Where Discard leads. */
  back: string;
  /** Takes the text of the draft as saved last, after a reload. */
  onReloaded: (text: string) => void;
}

/**
 * The draft's Save / Check / Publish / Discard on the text being edited. draft is the draft as first loaded
 * (undefined while loading); from then on the hook keeps the version saved last, whose etag each step sends.
 */
export function useDraftEditing(draft: LibraryDraft | undefined, text: string | null, opts: DraftEditingOptions) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const words = { ...QUIZ_WORDS, ...opts.words };
  const [saved, setSaved] = useState<LibraryDraft | undefined>(draft);
  const [pending, setPending] = useState<DraftStep | null>(null);
  const [notice, setNotice] = useState("");
  const [failure, setFailure] = useState<{ step: DraftStep; error: unknown } | null>(null);
  const [problems, setProblems] = useState<LibraryProblem[]>([]);
  const [checked, setChecked] = useState<DraftCheck | null>(null);
  const [reloadFailed, setReloadFailed] = useState("");
  useEffect(() => {
    if (draft && !saved) setSaved(draft);
  }, [draft, saved]);
  const dirty = !!saved && text !== null && text !== saved.body;

  const run = async (step: DraftStep, f: (d: LibraryDraft) => Promise<void>) => {
    if (!saved) return;
    setPending(step);
    setFailure(null);
    setNotice("");
    try {
      await f(saved);
    } catch (e) {
      setFailure({ step, error: e });
      if (!isStale(e)) setProblems(problemsOf(e));
    } finally {
      setPending(null);
    }
  };
  /** Saves body over d (If-Match: d's etag); the draft as saved now. */
  const store = async (d: LibraryDraft, body: string) => {
    const next = await drafts.save(d.id, d.etag, body);
    setSaved(next);
    qc.setQueryData(draftKeys.draft(next.id), next);
    void qc.invalidateQueries({ queryKey: ["library-drafts"] });
    return next;
  };
  /** Saves the text when it changed since the last save; the draft as saved last. */
  const saveChanged = (d: LibraryDraft) => (text === null || text === d.body ? Promise.resolve(d) : store(d, text));
  const save = () => run("Save", async (d) => {
    if (text !== null) setNotice(words.saved(await store(d, text)));
  });
  const check = () => run("Check", async (d) => {
    const cur = await saveChanged(d);
    const res = await drafts.check(cur.id, opts.publishWith ? await opts.publishWith() : undefined);
    setChecked(res);
    setProblems(res.problems);
    setNotice(words.checked(res));
  });
  const publish = () => run("Publish", async (d) => {
    const cur = await saveChanged(d);
    const along = opts.publishWith ? await opts.publishWith() : [];
    const report = await drafts.publish(cur.id, cur.etag, along);
    // Everything may have changed, but the published drafts are gone: refetching the one open here would
    // only replace the editor with "Draft not found".
    const gone = new Set([cur.id, ...along]);
    void qc.invalidateQueries({ predicate: (q) => !(q.queryKey[0] === draftKeys.draft("")[0] && gone.has(String(q.queryKey[1]))) });
    setProblems([]);
    setChecked(null);
    if (opts.onPublished) await opts.onPublished(report);
    else setNotice(words.published(report));
  });
  const discard = () => run("Discard", async (d) => {
    await drafts.discard(d.id, d.etag);
    void qc.invalidateQueries({ queryKey: ["library-drafts"] });
    navigate(opts.back);
  });
  /** After a 409: takes the draft as saved last, its text and etag, dropping the edits made here. */
  const reload = async () => {
    if (!saved) return;
    setReloadFailed("");
    try {
      const d = await drafts.get(saved.id);
      setSaved(d);
      opts.onReloaded(d.body);
      setFailure(null);
      setNotice(words.reloaded(d));
    } catch (e) {
      setReloadFailed((e as Error).message);
    }
  };
  /** Forgets the last check's result (the text changed since). */
  const forgetCheck = () => {
    setChecked(null);
    setProblems([]);
  };
  const stale: ApiError | null = failure && isStale(failure.error) ? failure.error : null;
  return {
    saved, dirty, pending, busy: pending !== null, notice, failure, stale, problems, checked, reloadFailed,
    save, check, publish, discard, reload, forgetCheck,
  };
}

export type DraftEditing = ReturnType<typeof useDraftEditing>;

/** The quiz and bank editors' words for a failed step: a 409, problems to fix, or the error's message. */
function failureText(f: DraftEditing["failure"], problems: LibraryProblem[]) {
  if (!f) return "";
  if (isStale(f.error)) {
    return `Someone saved this draft since you opened it: ${f.error.message} Nothing was overwritten. Copy your change, reload the draft and apply it again.`;
  }
  return problems.length ? `${f.step} refused: fix the problems listed.` : (f.error as Error).message;
}

/** The draft's buttons (Save, Check, Publish, Discard), what they did, and after a 409 the way to reload (quiz and bank editors). */
export function DraftBar({ editing }: { editing: DraftEditing }) {
  const failure = failureText(editing.failure, editing.problems);
  return (
    <>
      <div className="row-actions editor-actions">
        <button type="button" onClick={() => void editing.save()} disabled={editing.busy}>Save</button>
        <button type="button" onClick={() => void editing.check()} disabled={editing.busy}>Check</button>
        <button type="button" className="primary" onClick={() => void editing.publish()} disabled={editing.busy}>Publish</button>
        <button type="button" className="danger" onClick={() => { if (window.confirm("Discard this draft? Its changes are lost.")) void editing.discard(); }} disabled={editing.busy}>Discard</button>
      </div>
      <p role="status" className="notice-line">{editing.notice}{editing.dirty ? " Unsaved changes." : ""}</p>
      {failure && <p role="alert" className="error">{failure}</p>}
      {editing.stale && (
        <p>
          <button type="button" onClick={() => void editing.reload()}>Reload the draft</button>
          {editing.reloadFailed && <span role="alert" className="error"> {editing.reloadFailed}</span>}
        </p>
      )}
    </>
  );
}
