import { useEffect, useRef } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { learning, type GapResult, type PublicQuestion, type QuestionResult } from "../api/learning";
import { formatDateTime, formatPercent } from "../lib/format";
import { useProgram } from "./hooks";
import { inlineMarkdown, rereadLink, splitCloze } from "./text";

/** A graded attempt: score, pass or fail, per-question marks and what to re-read, as the review policy allows. */
export function QuizResult() {
  const { programId = "", attemptId = "" } = useParams();
  const result = useQuery({ queryKey: ["result", attemptId], queryFn: () => learning.result(attemptId) });
  const attempt = useQuery({ queryKey: ["attempt", attemptId], queryFn: () => learning.attempt(attemptId) });
  const program = useProgram(programId);
  const quizzes = useQuery({ queryKey: ["quizzes", programId], queryFn: () => learning.quizzes(programId) });
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (result.data) headRef.current?.focus();
  }, [result.data]);

  if (result.isError) return <p role="alert" className="error">{result.error.message}</p>;
  if (!result.data) return <p className="loading" role="status">Loading your result…</p>;
  const s = result.data;
  const r = s.result;
  const quiz = quizzes.data?.find((q) => q.id === s.quiz_id);
  const modules = program.data?.requirements.modules ?? [];
  const questions = new Map((attempt.data?.questions ?? []).map((q) => [q.id, q]));
  return (
    <section className="quiz-result">
      <p><Link to={`/training/${programId}`}>← Program</Link></p>
      <h1 ref={headRef} tabIndex={-1}>{quiz ? `${quiz.title}: result` : "Quiz result"}</h1>
      <div className={`score-card ${r.passed ? "pass" : "fail"}`}>
        <p className="score"><span className="big">{formatPercent(r.percent)}</span> <span className="hint">pass mark {formatPercent(r.pass_percent)}</span></p>
        <p className="verdict">{r.passed ? "✓ Passed" : "✗ Not passed"}</p>
        <p className="hint">Attempt {s.number}, submitted {formatDateTime(s.submitted_at)}{s.auto_submitted && " (submitted when the time ran out)"}</p>
      </div>

      {r.reread.length > 0 && (
        <section aria-labelledby="reread-title">
          <h2 id="reread-title">Read these sections again</h2>
          <ul className="reread">
            {r.reread.map((t) => {
              const l = rereadLink(programId, modules, t);
              return <li key={t}>{l ? <Link to={l.to}>{l.title} — {l.section}</Link> : t}</li>;
            })}
          </ul>
        </section>
      )}

      {r.questions && r.questions.length > 0 && (
        <section aria-labelledby="answers-title">
          <h2 id="answers-title">Your answers</h2>
          <ol className="questions results">
            {r.questions.map((qr, i) => (
              <li key={qr.id}>
                <QuestionMark qr={qr} q={questions.get(qr.id)} n={i + 1} reread={qr.reread ? rereadLink(programId, modules, qr.reread) : null} />
              </li>
            ))}
          </ol>
        </section>
      )}
      {s.review === "score" && <p className="hint">This quiz shows the score only, not the answers.</p>}
    </section>
  );
}

function describe(q: PublicQuestion | undefined, a: { choices?: string[]; text?: string; matches?: Record<string, string>; gaps?: Record<string, string> } | undefined): string {
  if (!a) return "—";
  if (q?.type === "cloze") {
    return (q.gaps ?? []).map((g) => `${g.id}: ${gapText(q, g.id, a.gaps?.[g.id]) || "—"}`).join("; ") || "—";
  }
  if (a.choices) return a.choices.map((c) => q?.options?.find((o) => o.id === c)?.text ?? c).join("; ") || "—";
  if (a.matches) {
    return Object.entries(a.matches).map(([l, r]) => `${q?.lefts?.find((x) => x.id === l)?.text ?? l} → ${q?.rights?.find((x) => x.id === r)?.text ?? r}`).join("; ") || "—";
  }
  return a.text || "—";
}

/** A gap's answer as the agent sees it: a choice gap's option text, the typed text otherwise. */
function gapText(q: PublicQuestion | undefined, gap: string, answer: string | undefined): string {
  if (!answer) return "";
  const g = q?.gaps?.find((x) => x.id === gap);
  return g?.options?.find((o) => o.id === answer)?.text ?? answer;
}

/** The text of a cloze question with each gap shown as its number: "… [1] …". */
function clozeText(q: PublicQuestion): string {
  return splitCloze(q.text).map((p) => ("gap" in p ? ` [${p.gap}] ` : p.text)).join("");
}

/** Each gap of a cloze question: the agent's answer, its mark, and the correct answer and feedback when the review policy shows them. */
function GapMarks({ q, qr }: { q?: PublicQuestion; qr: QuestionResult }) {
  const n = qr.gaps?.length ?? 0;
  return (
    <ul className="gap-marks" aria-label="Marks per gap">
      {qr.gaps?.map((g: GapResult) => {
        const ca = g.correct_answer;
        const correct = ca ? [...(ca.choices ?? []).map((c) => gapText(q, g.id, c)), ...(ca.texts ?? []), ...(ca.numbers ?? [])].join("; ") : "";
        const state = g.correct ? "right" : g.mark > 0 ? "partly" : "wrong";
        return (
          <li key={g.id} className={state}>
            <p className="q-head">
              <strong>Gap {g.id} of {n}</strong>{" "}
              <span className={`badge ${state === "right" ? "ok" : state === "partly" ? "warn" : "bad"}`}>
                {state === "right" ? "✓ Right" : state === "partly" ? "◐ Partly right" : "✗ Wrong"}
              </span>{" "}
              <span className="hint">{Math.round(g.mark * 100)}%{g.weight !== 1 && ` · weight ${g.weight}`}</span>
            </p>
            <dl className="facts">
              <dt>Your answer</dt><dd>{gapText(q, g.id, qr.response.gaps?.[g.id]) || "—"}</dd>
              {correct && <><dt>Correct answer</dt><dd>{correct}</dd></>}
            </dl>
            {g.feedback?.map((f) => <p key={f} className="feedback">{f}</p>)}
          </li>
        );
      })}
    </ul>
  );
}

function QuestionMark({ qr, q, n, reread }: { qr: QuestionResult; q?: PublicQuestion; n: number; reread: { to: string; title: string; section: string } | null }) {
  const mark = Math.round(qr.mark * qr.points * 100) / 100;
  const state = qr.correct ? "right" : qr.mark > 0 ? "partly" : "wrong";
  const ca = qr.correct_answer;
  const correctText = ca ? [describe(q, { choices: ca.choices }), ca.matches && describe(q, { matches: ca.matches }), ...(ca.texts ?? []), ...(ca.numbers ?? [])]
    .filter((x) => x && x !== "—").join("; ") : "";
  return (
    <article className={`question-result ${state}`} aria-label={`Question ${n}`}>
      <p className="q-head">
        <span className="q-number">Question {n}</span>{" "}
        <span className={`badge ${state === "right" ? "ok" : state === "partly" ? "warn" : "bad"}`}>
          {state === "right" ? "✓ Right" : state === "partly" ? "◐ Partly right" : "✗ Wrong"}
        </span>{" "}
        <span className="hint">{mark} of {qr.points} {qr.points === 1 ? "point" : "points"}</span>
      </p>
      {q && <p className="q-text" dangerouslySetInnerHTML={{ __html: inlineMarkdown(q.type === "cloze" ? clozeText(q) : q.text, q.format) }} />}
      {qr.gaps ? <GapMarks q={q} qr={qr} /> : (
        <dl className="facts">
          <dt>Your answer</dt><dd>{describe(q, qr.response)}</dd>
          {correctText && <><dt>Correct answer</dt><dd>{correctText}</dd></>}
        </dl>
      )}
      {(qr.gaps ? qr.feedback?.filter((f) => !qr.gaps?.some((g) => g.feedback?.includes(f))) : qr.feedback)?.map((f) => <p key={f} className="feedback">{f}</p>)}
      {!qr.correct && reread && <p>Re-read: <Link to={reread.to}>{reread.title} — {reread.section}</Link></p>}
    </article>
  );
}
