import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { learning, type Answers, type Attempt, type PublicQuestion, type QuizAnswer } from "../api/learning";
import { Dialog } from "../components/Dialog";
import { AnswerSaver, type SaveState } from "./saver";
import { inlineMarkdown, isAnswered } from "./text";
import { clockOffset, formatRemaining, remainingMs, spokenRemaining } from "./timer";
import { keys } from "./hooks";

const SAVE_TEXT: Record<SaveState, string> = {
  saved: "All answers saved",
  pending: "Unsaved changes…",
  saving: "Saving…",
  error: "Not saved yet — trying again",
  closed: "Answers are closed",
};

/** Taking a quiz: the server's timer, answers saved as they are given, submit with a check for unanswered questions. */
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
  const [confirming, setConfirming] = useState(false);
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
        saver.current = new AnswerSaver(a.seq, {
          save: (seq, batch) => learning.saveAnswers(attemptId, seq, batch),
          reload: () => learning.attempt(attemptId),
          onState: (s, err) => {
            setSaveState(s);
            setSaveError(err ?? "");
          },
        });
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

  const answer = useCallback((q: PublicQuestion, a: QuizAnswer) => {
    setAnswers((prev) => ({ ...prev, [q.id]: a }));
    saver.current?.set(q.id, a);
  }, []);

  const submit = useCallback(async () => {
    setConfirming(false);
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

  const unanswered = useMemo(() => attempt?.questions.filter((q) => !isAnswered(q.type, answers[q.id])) ?? [], [attempt, answers]);

  if (loadError) return <p role="alert" className="error">{loadError}</p>;
  if (!attempt) return <p className="loading" role="status">Loading your attempt…</p>;

  return (
    <section className="quiz">
      <div className="quiz-bar" role="region" aria-label="Quiz status">
        <span>Attempt {attempt.number} · {attempt.questions.length - unanswered.length} of {attempt.questions.length} answered</span>
        <span className={`save-state ${saveState}`} role="status" title={saveError || undefined}>{SAVE_TEXT[saveState]}</span>
        {attempt.deadline && <Countdown deadline={attempt.deadline} offset={offset} onEnd={() => void submit()} />}
      </div>
      <h1>Quiz</h1>
      <p className="hint">Your answers are saved as you go; you can leave and come back until the time is up.</p>
      <ol className="questions">
        {attempt.questions.map((q, i) => (
          <li key={q.id} id={`q-${q.id}`}>
            <Question q={q} n={i + 1} value={answers[q.id]} onChange={(a) => answer(q, a)} disabled={submitting} />
          </li>
        ))}
      </ol>
      {submitError && <p role="alert" className="error">{submitError}</p>}
      <div className="form-actions">
        <button type="button" className="primary" disabled={submitting} onClick={() => (unanswered.length ? setConfirming(true) : void submit())}>
          {submitting ? "Submitting…" : "Submit answers"}
        </button>
      </div>
      {confirming && (
        <Dialog title="Submit with unanswered questions?" onClose={() => setConfirming(false)}>
          <p>
            {unanswered.length === 1 ? "1 question is" : `${unanswered.length} questions are`} not answered. An unanswered question scores
            nothing, and a submitted attempt cannot be changed.
          </p>
          <ul>
            {unanswered.map((q) => (
              <li key={q.id}>
                <a href={`#q-${q.id}`} onClick={() => setConfirming(false)}>Question {attempt.questions.indexOf(q) + 1}</a>
              </li>
            ))}
          </ul>
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirming(false)}>Keep answering</button>
            <button type="button" className="primary" onClick={() => void submit()}>Submit anyway</button>
          </div>
        </Dialog>
      )}
    </section>
  );
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

function Question({ q, n, value, onChange, disabled }: { q: PublicQuestion; n: number; value?: QuizAnswer; onChange: (a: QuizAnswer) => void; disabled: boolean }) {
  const legend = (
    <legend>
      <span className="q-number">Question {n}</span>
      <span className="q-points"> · {q.points} {q.points === 1 ? "point" : "points"}</span>
      <span className="q-text" dangerouslySetInnerHTML={{ __html: inlineMarkdown(q.text, q.format) }} />
      {q.text_after && <span className="q-text" dangerouslySetInnerHTML={{ __html: " … " + inlineMarkdown(q.text_after, q.format) }} />}
    </legend>
  );
  const name = `q-${q.id}-input`;
  switch (q.type) {
    case "single_choice":
    case "true_false":
      return (
        <fieldset className="question" disabled={disabled}>
          {legend}
          {q.options?.map((o) => (
            <label key={o.id} className="check">
              <input type="radio" name={name} value={o.id} checked={value?.choices?.[0] === o.id} onChange={() => onChange({ choices: [o.id] })} />
              <span dangerouslySetInnerHTML={{ __html: inlineMarkdown(o.text, q.format) }} />
            </label>
          ))}
        </fieldset>
      );
    case "multiple_response":
      return (
        <fieldset className="question" disabled={disabled}>
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
        </fieldset>
      );
    case "short_answer":
    case "numeric":
      return (
        <fieldset className="question" disabled={disabled}>
          {legend}
          <label className="inline-label">
            <span>{q.type === "numeric" ? "Your answer (a number)" : "Your answer"}</span>
            <input type="text" inputMode={q.type === "numeric" ? "decimal" : undefined} autoComplete="off" value={value?.text ?? ""}
              onChange={(e) => onChange({ text: e.target.value })} className={q.type === "numeric" ? "numeric" : undefined} />
          </label>
        </fieldset>
      );
    case "matching":
      return (
        <fieldset className="question" disabled={disabled}>
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
        </fieldset>
      );
  }
}
