// The quiz editor: a quiz.yaml draft edited as fields (settings, draw and
// quotas, questions of every type the grader knows) or as text, the draw's
// feasibility checked as you type, a preview exactly as an agent sees it with
// "Check my answers" for the author, and Save / Check / Publish / Discard
// through the library drafts API (If-Match; a 409 is reported, never
// overwritten). See docs/authoring.md.
import { useEffect, useId, useMemo, useState } from "react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { Link, NavLink, useParams, useSearchParams } from "react-router-dom";
import { drafts, libraryPath, type LibraryDraft, type LibraryProblem } from "../api/drafts";
import { learning, type Answers } from "../api/learning";
import { quizPreview, splitQuizPath, type PreviewCheck, type QuizPreview } from "../api/quizPreview";
import { Question } from "../training/QuizTake";
import { Field } from "../components/Field";
import { DraftBar, useDraftEditing, useDraftText } from "./draftEditing";
import { listingDrafts } from "./programYaml";
import { clean, getKey, newQuestion, questions, QUESTION_TYPES, setKey, setQuestion, type Plain } from "./quizDoc";

const TABS = [["settings", "Settings"], ["questions", "Questions"], ["text", "File"], ["preview", "Preview"]] as const;

/** Debounce: value once it has not changed for ms. */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Where the draft's file lives: its client, program and file name. */
export function draftPlace(draft: LibraryDraft | undefined) {
  return draft ? splitQuizPath(draft.path) : { client: "", program: "", file: "" };
}

/** Opens (or starts) the draft of a quiz and goes to its editor. */
export async function openQuizDraft(client: string, program: string, slug: string, programID: string, title?: string) {
  const path = libraryPath.quiz(client, program, slug);
  const d = title === undefined
    ? await drafts.start({ client, kind: "quiz", path })
    : await drafts.start({ client, kind: "quiz", path, body: `title: ${JSON.stringify(title)}\npass_percent: 70\nquestions: []\n` });
  return `/library/quiz-drafts/${d.id}?program=${programID}`;
}

export function QuizEditor() {
  const { draftId = "" } = useParams();
  const [params] = useSearchParams();
  const programID = params.get("program") ?? "";
  const tab = params.get("tab") ?? "settings";
  const { loaded, draft, text, setText } = useDraftText(draftId);
  const where = draftPlace(draft);
  const slug = where.file.replace(/\.quiz\.yaml$/, "");
  const back = programID ? `/library/programs/${programID}` : "/library";
  // A new quiz must be listed in its program.yaml: publishing takes a program draft that lists it along.
  const publishWith = () => listingDrafts(where.client, where.program, "quizzes", slug);
  const editing = useDraftEditing(draft, text, { publishWith, back, onReloaded: setText });
  const settled = useSettled(text, 400);
  const [seed, setSeed] = useState<number | undefined>(undefined);
  const preview = useQuery({
    queryKey: ["quiz-preview", where.client, where.program, slug, settled, seed],
    queryFn: () => quizPreview.preview({ client: where.client, program: where.program, slug, quiz: settled ?? "", seed }),
    enabled: !!draft && settled !== null && settled.trim() !== "",
    placeholderData: (prev) => prev,
  });

  if (loaded.error) return <p role="alert" className="error">{loaded.error.message}</p>;
  if (!draft || text === null) return <p className="loading" role="status">Loading the draft…</p>;
  const pv = preview.data;
  const allProblems = [...(pv?.problems ?? []), ...(pv?.draw.problems ?? [])];
  return (
    <section className="quiz-editor">
      <p><Link to={back}>← Program</Link></p>
      <h1>Quiz <code>{slug}</code> <span className="hint">(draft)</span></h1>
      <p className="hint">A draft: agents see nothing of it until it is published. File <code>{draft.path}</code>{draft.published ? "" : " — a new quiz"}.</p>
      <DraftBar editing={editing} />
      <Problems title="Publishing would refuse" problems={editing.problems} />
      <DrawStatus pv={pv} problems={allProblems} pending={preview.isFetching} />
      <nav aria-label="Quiz editor" className="tabs">
        {TABS.map(([t, label]) => (
          <NavLink key={t} to={`?program=${programID}&tab=${t}`} aria-current={tab === t ? "page" : undefined} className={tab === t ? "active" : undefined} end>{label}</NavLink>
        ))}
      </nav>
      {tab === "settings" && <Settings text={text} onChange={setText} />}
      {tab === "questions" && <Questions text={text} onChange={setText} programID={programID} />}
      {tab === "text" && (
        <Field label="quiz.yaml" hint="The file as it is saved; comments and keys the fields do not show are kept.">
          <textarea className="code" rows={24} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </Field>
      )}
      {tab === "preview" && (
        <PreviewPane pv={pv} body={{ client: where.client, program: where.program, slug, quiz: text }} onRedraw={() => setSeed(Math.floor(Math.random() * 2 ** 31))} />
      )}
    </section>
  );
}

function Problems({ title, problems }: { title: string; problems: LibraryProblem[] }) {
  if (!problems.length) return null;
  return (
    <div className="error" role="alert">
      <p>{title}:</p>
      <ul>{problems.map((p, i) => <li key={i}><code>{p.file}:{p.line}</code> {p.message}</li>)}</ul>
    </div>
  );
}

/** The live result of the preview: problems while typing, and whether every attempt can be drawn. */
function DrawStatus({ pv, problems, pending }: { pv?: QuizPreview; problems: LibraryProblem[]; pending: boolean }) {
  return (
    <div className="draw-status" aria-live="polite">
      {!pv && pending && <p className="hint">Checking…</p>}
      {pv && pv.ok && (
        <p className="ok">Draw feasible: {pv.draw.questions_per_attempt} of {pv.draw.pool_size} question(s) per attempt
          {pv.draw.quotas.map((q) => `; ${q.tag}: ${q.needed} needed, ${q.available} available`).join("")}.</p>
      )}
      {pv && !pv.ok && (
        <div className="warning">
          <p>{pv.problems.length ? "The quiz has problems" : "The draw is not feasible"}:</p>
          <ul>{problems.map((p, i) => <li key={i}>line {p.line}: {p.message}</li>)}</ul>
          {pv.draw.quotas.length > 0 && (
            <ul aria-label="Quotas">{pv.draw.quotas.map((q) => <li key={q.tag}>{q.tag}: {q.needed} needed, {q.available} available</li>)}</ul>
          )}
        </div>
      )}
    </div>
  );
}

function Settings({ text, onChange }: { text: string; onChange: (t: string) => void }) {
  const v = (k: string) => getKey(text, k);
  const str = (k: string) => (v(k) === undefined || v(k) === null ? "" : String(v(k)));
  const num = (k: string, raw: string) => onChange(setKey(text, k, raw === "" ? "" : Number(raw)));
  const quotas = (Array.isArray(v("quotas")) ? v("quotas") : []) as { tag: string; count: number }[];
  const banks = (Array.isArray(v("banks")) ? v("banks") : []) as ({ name: string } | string)[];
  const setQuotas = (qs: { tag: string; count: number }[]) => onChange(setKey(text, "quotas", qs.length ? qs : ""));
  return (
    <div className="grid-2">
      <Field label="Title"><input value={str("title")} onChange={(e) => onChange(setKey(text, "title", e.target.value))} /></Field>
      <Field label="Pass mark (%)"><input type="number" min={1} max={100} value={str("pass_percent")} onChange={(e) => num("pass_percent", e.target.value)} /></Field>
      <Field label="Attempts allowed" hint="0 or empty: unlimited."><input type="number" min={0} value={str("attempts_allowed")} onChange={(e) => num("attempts_allowed", e.target.value)} /></Field>
      <Field label="Wait between attempts" hint="A duration such as 1h or 30m."><input value={str("wait_between_attempts")} onChange={(e) => onChange(setKey(text, "wait_between_attempts", e.target.value))} /></Field>
      <Field label="Time limit" hint="A duration such as 20m; empty: none."><input value={str("time_limit")} onChange={(e) => onChange(setKey(text, "time_limit", e.target.value))} /></Field>
      <Field label="Grading" hint="Which attempt counts.">
        <select value={str("grading")} onChange={(e) => onChange(setKey(text, "grading", e.target.value))}>
          <option value="">highest (default)</option><option value="highest">highest</option><option value="last">last</option>
        </select>
      </Field>
      <Field label="Review after submitting" hint="What agents see: score < answers < correct answers < feedback.">
        <select value={str("review")} onChange={(e) => onChange(setKey(text, "review", e.target.value))}>
          <option value="">score (default)</option><option value="score">score</option><option value="answers">answers</option><option value="correct">correct</option><option value="feedback">feedback</option>
        </select>
      </Field>
      <Field label="Questions per attempt" hint="0 or empty: every question of the pool."><input type="number" min={0} value={str("questions_per_attempt")} onChange={(e) => num("questions_per_attempt", e.target.value)} /></Field>
      <label className="check"><input type="checkbox" checked={v("shuffle_questions") !== false} onChange={(e) => onChange(setKey(text, "shuffle_questions", e.target.checked ? "" : false))} /> Shuffle questions</label>
      <label className="check"><input type="checkbox" checked={v("shuffle_options") !== false} onChange={(e) => onChange(setKey(text, "shuffle_options", e.target.checked ? "" : false))} /> Shuffle options</label>
      <Field label="Banks drawn from" hint="Bank names of this client, separated by commas.">
        <input value={banks.map((b) => (typeof b === "string" ? b : b.name)).join(", ")}
          onChange={(e) => {
            const names = e.target.value.split(",").map((s) => s.trim()).filter(Boolean);
            onChange(setKey(text, "banks", names.length ? names.map((name) => ({ name })) : ""));
          }} />
      </Field>
      <fieldset className="quotas">
        <legend>Tag quotas</legend>
        {quotas.map((q, i) => (
          <div key={i} className="quota-row">
            <Field label={`Quota ${i + 1} tag`}><input value={q.tag ?? ""} onChange={(e) => setQuotas(quotas.map((x, j) => (j === i ? { ...x, tag: e.target.value } : x)))} /></Field>
            <Field label={`Quota ${i + 1} count`}><input type="number" min={1} value={q.count ?? ""} onChange={(e) => setQuotas(quotas.map((x, j) => (j === i ? { ...x, count: Number(e.target.value) } : x)))} /></Field>
            <button type="button" className="small" onClick={() => setQuotas(quotas.filter((_, j) => j !== i))}>Remove quota {i + 1}</button>
          </div>
        ))}
        <button type="button" className="small" onClick={() => setQuotas([...quotas, { tag: "", count: 1 }])}>Add a quota</button>
      </fieldset>
    </div>
  );
}

/** The module sections a question may send to re-read: "<module>#<heading>" for each heading of the program's modules. */
function useSections(programID: string) {
  const program = useQuery({ queryKey: ["program", programID], queryFn: () => learning.program(programID), enabled: !!programID });
  const modules = program.data?.requirements.modules ?? [];
  const reads = useQueries({ queries: modules.map((m) => ({ queryKey: ["module", m.module_id], queryFn: () => learning.module(m.module_id) })) });
  return useMemo(() => modules.flatMap((m, i) => (reads[i]?.data?.version.toc ?? []).map((h) => ({
    value: `${m.core ? "core/" : ""}${m.slug}#${h.id}`, label: `${m.title} › ${h.text}`,
  }))), [modules, reads]);
}

function Questions({ text, onChange, programID }: { text: string; onChange: (t: string) => void; programID: string }) {
  const qs = questions(text);
  const [type, setType] = useState("single_choice");
  const sections = useSections(programID);
  return (
    <div>
      {qs.length === 0 && <p>No inline questions yet{getKey(text, "banks") ? " (the quiz draws from banks)" : ""}.</p>}
      <ol className="question-editors">
        {qs.map((q, i) => (
          <li key={i}>
            <QuestionEditor q={q} n={i + 1} sections={sections} onChange={(nq) => onChange(setQuestion(text, i, nq))} />
          </li>
        ))}
      </ol>
      <div className="add-question">
        <Field label="New question type">
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {QUESTION_TYPES.map(([t, label]) => <option key={t} value={t}>{label}</option>)}
          </select>
        </Field>
        <button type="button" onClick={() => onChange(setQuestion(text, qs.length, newQuestion(type, qs.length + 1)))}>Add a question</button>
      </div>
    </div>
  );
}

type Row = Plain;

/** One question's fields; every change gives the whole question back. */
function QuestionEditor({ q, n, sections, onChange }: { q: Plain; n: number; sections: { value: string; label: string }[]; onChange: (q: Plain | null) => void }) {
  const id = useId();
  const set = (k: string, v: unknown) => onChange(clean({ ...q, [k]: v }));
  const s = (k: string) => (q[k] === undefined ? "" : String(q[k]));
  const type = s("type");
  const rows = (k: string) => (Array.isArray(q[k]) ? (q[k] as unknown[]).map((r) => (typeof r === "object" && r !== null ? r as Row : { text: String(r) })) : []);
  const setRows = (k: string, rs: Row[]) => set(k, rs);
  const label = `Question ${n}`;
  return (
    <fieldset className="question-editor" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>{label} · {QUESTION_TYPES.find(([t]) => t === type)?.[1] ?? type}</legend>
      <div className="grid-2">
        <Field label={`${label} id`}><input value={s("id")} onChange={(e) => set("id", e.target.value)} /></Field>
        <Field label={`${label} points`}><input type="number" min={1} value={s("points")} onChange={(e) => set("points", e.target.value === "" ? "" : Number(e.target.value))} /></Field>
      </div>
      <Field label={`${label} text`} hint={type === "cloze" ? "Gaps in Moodle's embedded-answers form, e.g. {1:SHORTANSWER:=yes} or {1:MULTICHOICE:=a~b}." : "Markdown."}>
        <textarea rows={type === "cloze" ? 4 : 2} value={s("text")} onChange={(e) => set("text", e.target.value)} />
      </Field>
      {(type === "single_choice" || type === "multiple_response") && (
        <Rows title={`${label} options`} rows={rows("options")} onChange={(rs) => setRows("options", rs)} add={{ text: "" }}
          cols={[["text", "Option", "text"], ["correct", "Correct", "check"], ["weight", "Weight (%)", "number"], ["feedback", "Feedback", "text"]]} />
      )}
      {type === "true_false" && (
        <div className="grid-2">
          <Field label={`${label} answer`}>
            <select value={q.answer === false ? "false" : "true"} onChange={(e) => set("answer", e.target.value === "true")}>
              <option value="true">True</option><option value="false">False</option>
            </select>
          </Field>
          <Field label={`${label} feedback when right`}><input value={s("right_feedback")} onChange={(e) => set("right_feedback", e.target.value)} /></Field>
          <Field label={`${label} feedback when wrong`}><input value={s("wrong_feedback")} onChange={(e) => set("wrong_feedback", e.target.value)} /></Field>
        </div>
      )}
      {type === "short_answer" && (
        <>
          <Rows title={`${label} accepted answers`} rows={rows("answers")} onChange={(rs) => setRows("answers", rs)} add={{ text: "" }}
            cols={[["text", "Answer", "text"], ["weight", "Weight (%)", "number"], ["feedback", "Feedback", "text"]]} />
          <Field label={`${label} pattern`} hint="Optional: a regular expression a full-credit answer matches."><input value={s("pattern")} onChange={(e) => set("pattern", e.target.value)} /></Field>
        </>
      )}
      {type === "numeric" && (
        <Rows title={`${label} accepted numbers`} rows={rows("answers")} onChange={(rs) => setRows("answers", rs)} add={{ value: 0 }}
          cols={[["value", "Value", "number"], ["tolerance", "Tolerance", "number"], ["min", "Min", "number"], ["max", "Max", "number"], ["weight", "Weight (%)", "number"], ["feedback", "Feedback", "text"]]} />
      )}
      {type === "matching" && (
        <>
          <Rows title={`${label} pairs`} rows={rows("pairs")} onChange={(rs) => setRows("pairs", rs)} add={{ left: "", right: "" }}
            cols={[["left", "Item", "text"], ["right", "Matches", "text"]]} />
          <Field label={`${label} distractors`} hint="Extra wrong choices, separated by commas.">
            <input value={Array.isArray(q.distractors) ? (q.distractors as string[]).join(", ") : ""}
              onChange={(e) => set("distractors", e.target.value.split(",").map((x) => x.trim()).filter(Boolean))} />
          </Field>
        </>
      )}
      <div className="grid-2">
        <Field label={`${label} tags`} hint="Separated by commas; quotas draw by tag.">
          <input value={Array.isArray(q.tags) ? (q.tags as string[]).join(", ") : ""} onChange={(e) => set("tags", e.target.value.split(",").map((x) => x.trim()).filter(Boolean))} />
        </Field>
        <Field label={`${label} re-read`} hint="The section a wrong answer sends the agent back to.">
          <select value={s("reread")} onChange={(e) => set("reread", e.target.value)}>
            <option value="">None</option>
            {s("reread") && !sections.some((x) => x.value === s("reread")) && <option value={s("reread")}>{s("reread")}</option>}
            {sections.map((x) => <option key={x.value} value={x.value}>{x.label}</option>)}
          </select>
        </Field>
      </div>
      <Field label={`${label} general feedback`}><input value={s("feedback")} onChange={(e) => set("feedback", e.target.value)} /></Field>
      <button type="button" className="small danger" onClick={() => onChange(null)}>Remove question {n}</button>
    </fieldset>
  );
}

type Col = [key: string, label: string, kind: "text" | "number" | "check"];

function Rows({ title, rows, cols, add, onChange }: { title: string; rows: Row[]; cols: Col[]; add: Row; onChange: (rs: Row[]) => void }) {
  const put = (i: number, k: string, v: unknown) => onChange(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <fieldset className="rows">
      <legend>{title}</legend>
      {rows.map((r, i) => (
        <div key={i} className="row-fields">
          {cols.map(([k, label, kind]) => kind === "check" ? (
            <label key={k} className="check"><input type="checkbox" checked={r[k] === true} onChange={(e) => put(i, k, e.target.checked || undefined)} /> {label} {i + 1}</label>
          ) : (
            <Field key={k} label={`${label} ${i + 1}`}>
              <input type={kind === "number" ? "number" : "text"} value={r[k] === undefined ? "" : String(r[k])}
                onChange={(e) => put(i, k, kind === "number" ? (e.target.value === "" ? undefined : Number(e.target.value)) : e.target.value)} />
            </Field>
          ))}
          <button type="button" className="small" onClick={() => onChange(rows.filter((_, j) => j !== i))}>Remove {i + 1}</button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...rows, add])}>Add</button>
    </fieldset>
  );
}

/** The quiz as an agent sees it, with "Check my answers" showing the grading to the author only. */
export function PreviewPane({ pv, body, onRedraw }: {
  pv?: QuizPreview; body: { client: string; program: string; slug?: string; quiz?: string; banks?: Record<string, string> }; onRedraw?: () => void;
}) {
  const [answers, setAnswers] = useState<Answers>({});
  const [checked, setChecked] = useState<PreviewCheck | null>(null);
  const [failure, setFailure] = useState("");
  useEffect(() => setChecked(null), [pv?.seed, pv?.questions.length]);
  if (!pv) return <p className="loading" role="status">Preparing the preview…</p>;
  if (!pv.ok) return <p role="alert" className="error">The preview needs the problems above fixed first.</p>;
  const check = async () => {
    setFailure("");
    try {
      setChecked(await quizPreview.check({ ...body, seed: pv.seed, question_ids: pv.questions.map((q) => q.id), answers }));
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const byID = Object.fromEntries((checked?.result.questions ?? []).map((r) => [r.id, r]));
  return (
    <div className="quiz-preview">
      <p className="hint">Exactly what an agent sees (one draw). Nothing here is recorded as an attempt.</p>
      {pv.settings && <h2>{pv.settings.title}</h2>}
      {onRedraw && <button type="button" className="small" onClick={onRedraw}>Draw again</button>}
      <form className="quiz" onSubmit={(e) => { e.preventDefault(); void check(); }}>
        {pv.questions.map((q, i) => {
          const r = byID[q.id];
          return (
            <div key={q.id}>
              <Question q={q} n={i + 1} value={answers[q.id]} onChange={(a) => setAnswers({ ...answers, [q.id]: a })} disabled={false} onLeave={() => {}} />
              {r && (
                <div className={`author-grade ${r.correct ? "ok" : "wrong"}`}>
                  <p><strong>{r.correct ? "Right" : r.mark > 0 ? `Partly right (${Math.round(r.mark * 100)}%)` : "Wrong"}</strong>
                    {r.correct_answer && <> · correct: {[...(r.correct_answer.choices ?? []).map((c) => q.options?.find((o) => o.id === c)?.text ?? c),
                      ...(r.correct_answer.texts ?? []), ...(r.correct_answer.numbers ?? []),
                      ...Object.entries(r.correct_answer.matches ?? {}).map(([l, rt]) => `${q.lefts?.find((x) => x.id === l)?.text ?? l} → ${q.rights?.find((x) => x.id === rt)?.text ?? rt}`)].join("; ")}</>}
                  </p>
                  {r.gaps?.map((g) => <p key={g.id}>Gap {g.id}: {g.correct ? "right" : "wrong"}{g.correct_answer ? ` · correct: ${[...(g.correct_answer.choices ?? []), ...(g.correct_answer.texts ?? []), ...(g.correct_answer.numbers ?? [])].join("; ")}` : ""}</p>)}
                  {r.feedback?.map((f, j) => <p key={j} className="hint">{f}</p>)}
                  {r.reread && <p className="hint">Re-read: {r.reread}</p>}
                </div>
              )}
            </div>
          );
        })}
        <button type="submit" className="primary">Check my answers</button>
      </form>
      {failure && <p role="alert" className="error">{failure}</p>}
      {checked && (
        <p role="status" className="notice-line">
          Score {checked.result.percent}% — {checked.result.passed ? "passed" : "not passed"} (pass mark {checked.result.pass_percent}%).
          Shown to you only; agents see the review policy's “{checked.review}”.
        </p>
      )}
    </div>
  );
}
