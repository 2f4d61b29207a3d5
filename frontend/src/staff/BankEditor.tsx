// The bank editor: a question bank's draft (GIFT, Moodle XML or Aiken text —
// paste GIFT straight in) read live by the server's own bank readers, its
// questions shown as agents see them, and Save / Check / Publish / Discard
// through the library drafts API. See docs/authoring.md.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { quizPreview } from "../api/quizPreview";
import { Field } from "../components/Field";
import { DraftBar, useDraftEditing, useDraftText } from "./draftEditing";
import { draftPlace, PreviewPane, useSettled } from "./QuizEditor";

export function BankEditor() {
  const { draftId = "" } = useParams();
  const [params] = useSearchParams();
  const back = params.get("back") ?? "/banks";
  const { loaded, draft, text, setText } = useDraftText(draftId);
  const where = draftPlace(draft);
  const editing = useDraftEditing(draft, text, { back, onReloaded: setText });
  const settled = useSettled(text, 400);
  const banks = { [where.file]: settled ?? "" };
  const preview = useQuery({
    queryKey: ["bank-preview", draft?.path, settled],
    queryFn: () => quizPreview.preview({ client: where.client, program: where.program, banks }),
    enabled: !!draft && settled !== null && settled.trim() !== "",
    placeholderData: (prev) => prev,
  });
  if (loaded.error) return <p role="alert" className="error">{loaded.error.message}</p>;
  if (!draft || text === null) return <p className="loading" role="status">Loading the draft…</p>;
  const pv = preview.data;
  return (
    <section className="bank-editor">
      <p><Link to={back}>← Question banks</Link></p>
      <h1>Bank <code>{where.file}</code> <span className="hint">(draft)</span></h1>
      <p className="hint">File <code>{draft.path}</code>. Paste or write GIFT (or the file's own format); it is read as you type, as <code>skillgate import</code> reads it. Publishing changes every quiz that draws from this bank.</p>
      <DraftBar editing={editing} />
      {editing.problems.length > 0 && (
        <div role="alert" className="error"><ul>{editing.problems.map((p, i) => <li key={i}><code>{p.file}:{p.line}</code> {p.message}</li>)}</ul></div>
      )}
      <div className="editor-grid">
        <Field label="Bank text" hint="GIFT: ::title::question{=right ~wrong}. $CATEGORY: lines become tags.">
          <textarea className="code" rows={24} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </Field>
        <div aria-live="polite">
          {pv && (pv.ok
            ? <p className="ok">{pv.questions.length} question(s) read.</p>
            : <div className="warning"><p>Problems:</p><ul>{pv.problems.map((p, i) => <li key={i}>line {p.line}: {p.message}</li>)}</ul></div>)}
          {!!pv?.warnings.length && <ul className="hint">{pv.warnings.map((w, i) => <li key={i}>line {w.line}: {w.message}</li>)}</ul>}
          <PreviewPane pv={pv} body={{ client: where.client, program: where.program, banks }} />
        </div>
      </div>
    </section>
  );
}
