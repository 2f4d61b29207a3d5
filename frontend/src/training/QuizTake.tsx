import { useCallback, useEffect, useMemo, useRef, useState, type FocusEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { learning, type Answers, type Attempt, type PublicQuestion, type QuizAnswer } from "../api/learning";
import { Dialog } from "../components/Dialog";
import { AnswerSaver, questionList, saveStatus, type Rejected, type SaveState } from "./saver";
import { mayBeUnfinished, parseTypedNumber } from "../lib/number";
import { clozeProblem, inlineMarkdown, isAnswered, splitCloze } from "./text";
import { clockOffset, formatRemaining, remainingMs, spokenRemaining } from "./timer";
import { keys } from "./hooks";

/** Taking a quiz: the server's timer, answers checked as they are typed and saved as they are given, submit with a check for anything unsaved or unanswered. */
export function QuizTake() {
  const { programId = "", attemptId = "" } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [offset, setOffset] = useState(0);
  const [answers, setAnswers] = useState<Answers>({});
  const [loadError, setLoadError] = useState("");
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [saveError, setSaveError] = useState("");
  // Why a question's answer is not saved: the page's own check (invalid) or the server's (rejected).
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [rejected, setRejected] = useState<Rejected>({});
  // Questions whose field error shows: once the agent has left the field, or asked to submit.
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [check, setCheck] = useState<SubmitCheck | null>(null);
  const [focusQuestion, setFocusQuestion] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState("");
  const saver = useRef<AnswerSaver | null>(null);

  const resultPath = `/training/${programId}/quiz/${attemptId}/result`;

  useEffect(() => {
    let cancelled = false;
    const sent = Date.now();
    learning.attempt(attemptId).then(
      (a) => {
        if (cancelled) return;
        if (a.status === "submitted") {
          navigate(resultPath, { replace: true });
          return;
        }
        setOffset(clockOffset(a.server_time, sent, Date.now()));
        setAttempt(a);
        setAnswers(a.answers);
        saver.current = new AnswerSaver(
          a.seq,
          {
            save: (seq, batch) => learning.saveAnswers(attemptId, seq, batch),
            reload: () => learning.attempt(attemptId),
            onState: (s, err) => {
              setSaveState(s);
              setSaveError(err ?? "");
            },
            onRejected: setRejected,
          },
          a.answers,
        );
      },
      (e: Error) => !cancelled && setLoadError(e.message),
    );
    return () => {
      cancelled = true;
      // Leaving the page sends what is left rather than dropping it.
      void saver.current?.flush().catch(() => {});
    };
  }, [attemptId, navigate, resultPath]);

  // Warn before closing the tab with unsaved answers.
  useEffect(() => {
    const onUnload = (e: BeforeUnloadEvent) => {
      if (saver.current?.dirty) e.preventDefault();
    };
    window.addEventListener("beforeunload", onUnload);
    return () => window.removeEventListener("beforeunload", onUnload);
  }, []);

  // After the submit check closes on "Keep answering", the first question to fix gets focus.
  useEffect(() => {
    if (!focusQuestion || check) return;
    const box = document.getElementById(`q-${focusQuestion}`);
    box?.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea")?.focus();
    box?.scrollIntoView({ block: "center" });
    setFocusQuestion("");
  }, [focusQuestion, check]);

  const answer = useCallback((q: PublicQuestion, a: QuizAnswer) => {
    setAnswers((prev) => ({ ...prev, [q.id]: a }));
    const parsed = q.type === "numeric" && a.text?.trim() ? parseTypedNumber(a.text) : null;
    const gap = q.type === "cloze" ? clozeProblem(q.gaps, a.gaps) : null;
    const reason = parsed && !parsed.ok ? parsed.reason : gap?.reason;
    if (reason) {
      // Never sent: the server keeps the question's earlier answer, and the field says why.
      setInvalid((prev) => ({ ...prev, [q.id]: reason }));
      saver.current?.discard(q.id);
      return;
    }
    setInvalid((prev) => {
      if (!(q.id in prev)) return prev;
      const next = { ...prev };
      delete next[q.id];
      return next;
    });
    saver.current?.set(q.id, a);
  }, []);

  const submit = useCallback(async () => {
    setCheck(null);
    setSubmitting(true);
    setSubmitError("");
    try {
      await saver.current?.flush().catch(() => {});
      saver.current?.close();
      await learning.submitAttempt(attemptId);
      void qc.invalidateQueries({ queryKey: keys.quizzes(programId) });
      navigate(resultPath, { replace: true });
    } catch (e) {
      setSubmitError(e instanceof Error ? e.message : String(e));
      setSubmitting(false);
    }
  }, [attemptId, navigate, programId, qc, resultPath]);

  // Submit first sends what waits, then lists what is not saved or not answered before it lets the agent go on.
  const askSubmit = useCallback(async () => {
    if (!attempt || !saver.current) return;
    setSubmitting(true);
    await saver.current.flush().catch(() => {});
    setSubmitting(false);
    const s = saver.current;
    const why = { ...s.refused(), ...invalid };
    const c: SubmitCheck = {
      problems: attempt.questions.filter((q) => why[q.id]).map((q) => ({ q, reason: why[q.id], saved: s.savedAnswer(q.id) })),
      unsaved: attempt.questions.filter((q) => s.unsaved().includes(q.id) && !why[q.id]),
      unanswered: attempt.questions.filter((q) => !isAnswered(q.type, answers[q.id])),
    };
    setTouched(Object.fromEntries(attempt.questions.map((q) => [q.id, true])));
    if (c.problems.length || c.unsaved.length || c.unanswered.length) setCheck(c);
    else void submit();
  }, [attempt, answers, invalid, submit]);

  const unanswered = useMemo(() => attempt?.questions.filter((q) => !isAnswered(q.type, answers[q.id])) ?? [], [attempt, answers]);

  if (loadError) return <p role="alert" className="error">{loadError}</p>;
  if (!attempt) return <p className="loading" role="status">Loading your attempt…</p>;

  const number = (q: PublicQuestion) => attempt.questions.indexOf(q) + 1;
  // A refusal shows as it is typed (so the page does not shift under the next click), except while the
  // number may still be on its way ("1," before "1,200", a lone sign): that waits until the agent leaves the field.
  const errorOf = (q: PublicQuestion) => {
    if (rejected[q.id] && !invalid[q.id]) return rejected[q.id];
    if (!invalid[q.id]) return undefined;
    const typed = q.type === "cloze" ? clozeProblem(q.gaps, answers[q.id]?.gaps)?.text ?? "" : answers[q.id]?.text ?? "";
    return touched[q.id] || !mayBeUnfinished(typed) ? invalid[q.id] : undefined;
  };
  const problems = attempt.questions.filter((q) => errorOf(q)).map(number);
  const unsaved = saveState === "error" ? attempt.questions.filter((q) => saver.current?.unsaved().includes(q.id)).map(number) : [];
  const keepAnswering = () => {
    const first = check?.problems[0]?.q ?? check?.unanswered[0];
    setCheck(null);
    if (first) setFocusQuestion(first.id);
  };

  return (
    <section className="quiz">
      <div className="quiz-bar" role="region" aria-label="Quiz status">
        <span>Attempt {attempt.number} · {attempt.questions.length - unanswered.length} of {attempt.questions.length} answered</span>
        <span className={`save-state ${problems.length ? "error" : saveState}`} role="status" title={saveError || undefined}>
          {saveStatus(saveState, problems, unsaved)}
        </span>
        {attempt.deadline && <Countdown deadline={attempt.deadline} offset={offset} onEnd={() => void submit()} />}
      </div>
      <h1>{attempt.quiz_title || "Quiz"}</h1>
      <p className="hint">Your answers are saved as you go; you can leave and come back until the time is up.</p>
      <ol className="questions">
        {attempt.questions.map((q, i) => (
          <li key={q.id} id={`q-${q.id}`}>
            <Question q={q} n={i + 1} value={answers[q.id]} onChange={(a) => answer(q, a)} disabled={submitting}
              error={errorOf(q)} onLeave={() => setTouched((t) => (t[q.id] ? t : { ...t, [q.id]: true }))} />
          </li>
        ))}
      </ol>
      {submitError && <p role="alert" className="error">{submitError}</p>}
      <div className="form-actions">
        <button type="button" className="primary" disabled={submitting} onClick={() => void askSubmit()}>
          {submitting ? "Submitting…" : "Submit answers"}
        </button>
      </div>
      {check && (
        <Dialog title={check.problems.length || check.unsaved.length ? "Some answers are not saved" : "Submit with unanswered questions?"}
          onClose={() => setCheck(null)}>
          {check.problems.length > 0 && (
            <>
              <p>These answers are not saved, so they are not what will be graded:</p>
              <ul>
                {check.problems.map(({ q, reason, saved }) => (
                  <li key={q.id}>
                    <a href={`#q-${q.id}`} onClick={(e) => { e.preventDefault(); setCheck(null); setFocusQuestion(q.id); }}>Question {number(q)}</a>
                    {": "}{reason}{" "}
                    {saved && isAnswered(q.type, saved) ? <>Your saved answer{saved.text ? <>, “{saved.text}”,</> : ""} is graded instead.</> : "It counts as unanswered."}
                  </li>
                ))}
              </ul>
            </>
          )}
          {check.unsaved.length > 0 && (
            <p>
              {questionList(check.unsaved.map(number))} could not reach the server yet ({saveError || "no connection"}). Submitting now leaves{" "}
              {check.unsaved.length === 1 ? "that answer" : "those answers"} out.
            </p>
          )}
          {check.unanswered.length > 0 && (
            <>
              <p>
                {check.unanswered.length === 1 ? "1 question is" : `${check.unanswered.length} questions are`} not answered. An unanswered question scores
                nothing, and a submitted attempt cannot be changed.
              </p>
              <ul>
                {check.unanswered.map((q) => (
                  <li key={q.id}>
                    <a href={`#q-${q.id}`} onClick={(e) => { e.preventDefault(); setCheck(null); setFocusQuestion(q.id); }}>Question {number(q)}</a>
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={keepAnswering}>Keep answering</button>
            <button type="button" className="primary" onClick={() => void submit()}>Submit anyway</button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

/** What the submit check found: answers not saved (and why), answers still on their way, questions not answered. */
interface SubmitCheck {
  problems: { q: PublicQuestion; reason: string; saved?: QuizAnswer }[];
  unsaved: PublicQuestion[];
  unanswered: PublicQuestion[];
}

/** The time left on the server's clock; it says the time aloud once a minute, and calls onEnd at zero. */
function Countdown({ deadline, offset, onEnd }: { deadline: string; offset: number; onEnd: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const ended = useRef(false);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = remainingMs(deadline, offset, now) ?? 0;
  useEffect(() => {
    if (left <= 0 && !ended.current) {
      ended.current = true;
      onEnd();
    }
  }, [left, onEnd]);
  const spoken = spokenRemaining(left);
  return (
    <span className={`countdown${left < 60_000 ? " low" : ""}`}>
      <span aria-hidden="true">Time left {formatRemaining(left)}</span>
      <span className="sr-only" role="timer" aria-live="polite" aria-atomic="true">{spoken}</span>
    </span>
  );
}

/** One question as an agent answers it (also the quiz editor's preview, which shows questions exactly as agents see them). */
export function Question({ q, n, value, onChange, disabled, error, onLeave }: {
  q: PublicQuestion; n: number; value?: QuizAnswer; onChange: (a: QuizAnswer) => void; disabled: boolean;
  /** Why the answer is not saved, shown at the question. */
  error?: string;
  /** The agent left the question (focus moved out of it). */
  onLeave: () => void;
}) {
  const legend = (
    <legend>
      <span className="q-number">Question {n}</span>
      <span className="q-points"> · {q.points} {q.points === 1 ? "point" : "points"}</span>
      <span className="q-text" dangerouslySetInnerHTML={{ __html: inlineMarkdown(q.text, q.format) }} />
      {q.text_after && <span className="q-text" dangerouslySetInnerHTML={{ __html: " … " + inlineMarkdown(q.text_after, q.format) }} />}
    </legend>
  );
  const name = `q-${q.id}-input`;
  const errorId = `q-${q.id}-error`;
  const note = error ? <p id={errorId} className="field-error">{error}</p> : null;
  const leave = (e: FocusEvent<HTMLFieldSetElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onLeave();
  };
  const fieldset = { className: `question${error ? " invalid" : ""}`, disabled, onBlur: leave, "aria-describedby": error ? errorId : undefined };
  switch (q.type) {
    case "single_choice":
    case "true_false":
      return (
        <fieldset {...fieldset}>
          {legend}
          {q.options?.map((o) => (
            <label key={o.id} className="check">
              <input type="radio" name={name} value={o.id} checked={value?.choices?.[0] === o.id} onChange={() => onChange({ choices: [o.id] })} />
              <span dangerouslySetInnerHTML={{ __html: inlineMarkdown(o.text, q.format) }} />
            </label>
          ))}
          {note}
        </fieldset>
      );
    case "multiple_response":
      return (
        <fieldset {...fieldset}>
          {legend}
          <p className="hint">Select all that apply.</p>
          {q.options?.map((o) => {
            const chosen = value?.choices ?? [];
            return (
              <label key={o.id} className="check">
                <input type="checkbox" name={name} value={o.id} checked={chosen.includes(o.id)}
                  onChange={(e) => onChange({ choices: e.target.checked ? [...chosen, o.id] : chosen.filter((c) => c !== o.id) })} />
                <span dangerouslySetInnerHTML={{ __html: inlineMarkdown(o.text, q.format) }} />
              </label>
            );
          })}
          {note}
        </fieldset>
      );
    case "short_answer":
    case "numeric":
      return (
        <fieldset {...fieldset}>
          {legend}
          <label className="inline-label">
            <span>{q.type === "numeric" ? "Your answer (a number)" : "Your answer"}</span>
            <input type="text" inputMode={q.type === "numeric" ? "decimal" : undefined} autoComplete="off" value={value?.text ?? ""}
              onChange={(e) => onChange({ text: e.target.value })} className={q.type === "numeric" ? "numeric" : undefined}
              aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />
          </label>
          {note}
        </fieldset>
      );
    case "cloze":
      return (
        <fieldset {...fieldset}>
          <legend>
            <span className="q-number">Question {n}</span>
            <span className="q-points"> · {q.points} {q.points === 1 ? "point" : "points"}</span>
            <span className="hint"> · fill in {q.gaps?.length === 1 ? "the gap" : `the ${q.gaps?.length ?? 0} gaps`}</span>
          </legend>
          <Cloze q={q} name={name} value={value?.gaps ?? {}} onChange={(gaps) => onChange({ gaps })} error={error} errorId={errorId} />
          {note}
        </fieldset>
      );
    case "matching":
      return (
        <fieldset {...fieldset}>
          {legend}
          <div className="matching">
            {q.lefts?.map((l) => (
              <div key={l.id} className="match-row">
                <label htmlFor={`${name}-${l.id}`}>{l.text}</label>
                <select id={`${name}-${l.id}`} value={value?.matches?.[l.id] ?? ""} onChange={(e) => {
                  const matches = { ...(value?.matches ?? {}) };
                  if (e.target.value) matches[l.id] = e.target.value;
                  else delete matches[l.id];
                  onChange({ matches });
                }}>
                  <option value="">Choose…</option>
                  {q.rights?.map((r) => <option key={r.id} value={r.id}>{r.text}</option>)}
                </select>
              </div>
            ))}
          </div>
          {note}
        </fieldset>
      );
  }
}

/** A cloze question's text with a field in each gap: a select or radio buttons for a choice gap, a text box for the others. Each field is labelled "Gap i of n". */
export function Cloze({ q, name, value, onChange, error, errorId }: {
  q: PublicQuestion; name: string; value: Record<string, string>; onChange: (gaps: Record<string, string>) => void;
  error?: string; errorId: string;
}) {
  const gaps = q.gaps ?? [];
  // A refusal names its gap ("Gap 3: …"): that field is the invalid one.
  const badGap = error?.match(/^Gap (\d+):/)?.[1];
  const set = (id: string, v: string) => {
    const next = { ...value };
    if (v) next[id] = v;
    else delete next[id];
    onChange(next);
  };
  return (
    <div className="cloze q-text">
      {splitCloze(q.text).map((part, i) => {
        if ("text" in part) return <span key={i} dangerouslySetInnerHTML={{ __html: inlineMarkdown(part.text, q.format) }} />;
        const g = gaps.find((x) => x.id === part.gap);
        if (!g) return null;
        const label = `Gap ${g.id} of ${gaps.length}`;
        const invalid = badGap === g.id;
        if (g.kind === "choice" && (g.display ?? "dropdown") === "dropdown") {
          return (
            <select key={i} className="gap" aria-label={label} value={value[g.id] ?? ""} onChange={(e) => set(g.id, e.target.value)}
              aria-invalid={invalid || undefined} aria-describedby={invalid ? errorId : undefined}>
              <option value="">Choose…</option>
              {g.options?.map((o) => <option key={o.id} value={o.id}>{o.text}</option>)}
            </select>
          );
        }
        if (g.kind === "choice") {
          return (
            <span key={i} role="radiogroup" aria-label={label} className={`gap gap-${g.display}`}>
              {g.options?.map((o) => (
                <label key={o.id} className="check">
                  <input type="radio" name={`${name}-gap-${g.id}`} value={o.id} checked={value[g.id] === o.id} onChange={() => set(g.id, o.id)} />
                  <span dangerouslySetInnerHTML={{ __html: inlineMarkdown(o.text, q.format) }} />
                </label>
              ))}
            </span>
          );
        }
        const numeric = g.kind === "numeric";
        return (
          <input key={i} type="text" className={`gap${numeric ? " numeric" : ""}`} aria-label={numeric ? `${label} (a number)` : label}
            inputMode={numeric ? "decimal" : undefined} autoComplete="off" size={numeric ? 8 : 14} value={value[g.id] ?? ""}
            onChange={(e) => set(g.id, e.target.value)} aria-invalid={invalid || undefined} aria-describedby={invalid ? errorId : undefined} />
        );
      })}
    </div>
  );
}
