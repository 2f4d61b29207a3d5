import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { learning, type RunResult, type RunView } from "../api/learning";
import { keys, useProgram } from "./hooks";
import { MoodMeter, moodLabel } from "./Mood";
import { rereadLink } from "./text";
import { formatPercent } from "../lib/format";

/** The width below which the page is one column (styles.css). */
const PHONE = "(max-width: 48rem)";

/** What the conversation shows: a real run (RunView) or an author's test run (RoleplayPreview). */
export type Conversation = Pick<RunView, "title" | "persona" | "facts" | "transcript" | "current" | "closing" | "seq"> & { over: boolean };

/** An answer to the current turn: an option's id or the agent's own words. */
export type Answer = { option_id?: string; text?: string };

/** A role-play as a chat with the customer: transcript, mood, the facts on screen, answers, then the result. */
export function RoleplayRun() {
  const { programId = "", runId = "" } = useParams();
  const qc = useQueryClient();
  const [run, setRun] = useState<RunView | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    learning.run(runId).then(setRun, (e: Error) => setError(e.message));
  }, [runId]);

  async function answer(body: Answer): Promise<boolean> {
    if (!run?.current) return false;
    setBusy(true);
    setError("");
    try {
      const next = await learning.takeTurn(runId, { seq: run.seq, turn_id: run.current.turn_id, ...body });
      setRun(next);
      if (next.state !== "in_progress") void qc.invalidateQueries({ queryKey: keys.roleplays(programId) });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // Answered elsewhere (another tab): show where the run really is.
        setRun(await learning.run(runId));
        setError("This turn was already answered; here is the conversation as it stands.");
      } else {
        setError(e instanceof Error ? e.message : String(e));
      }
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (!run) return error ? <p role="alert" className="error">{error}</p> : <p className="loading" role="status">Loading the role-play…</p>;
  const over = run.state !== "in_progress";
  return (
    <section className="roleplay">
      <p><Link to={`/training/${programId}`}>← Program</Link></p>
      <h1>{run.title}</h1>
      <RunConversation run={{ ...run, over }} busy={busy} error={error} onAnswer={answer}>
        {over && <RunResultView runId={runId} programId={programId} />}
      </RunConversation>
    </section>
  );
}

/**
 * The player: the chat with the customer, the answers to the current turn, and the facts on the agent's
 * screen. One component for agents' runs and authors' test runs; children show below the chat (the result).
 */
export function RunConversation({ run, busy, error, onAnswer, children }: {
  run: Conversation; busy: boolean; error: string; onAnswer: (a: Answer) => Promise<boolean>; children?: React.ReactNode;
}) {
  const [text, setText] = useState("");
  const logEnd = useRef<HTMLDivElement>(null);
  const answerRef = useRef<HTMLElement | null>(null);
  const factsRef = useRef<HTMLDetailsElement>(null);
  // The facts are open beside the chat on a laptop and folded above it on a phone, also after a rotation.
  useEffect(() => {
    const mq = window.matchMedia?.(PHONE);
    if (!mq) return;
    const fit = () => { if (factsRef.current) factsRef.current.open = !mq.matches; };
    fit();
    mq.addEventListener("change", fit);
    return () => mq.removeEventListener("change", fit);
  }, []);

  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: "end" });
  }, [run.seq]);

  async function answer(body: Answer) {
    if (await onAnswer(body)) {
      setText("");
      // Keep the keyboard at the answers.
      requestAnimationFrame(() => answerRef.current?.focus());
    }
  }

  const over = run.over;
  const cur = run.current;

  return (
    <div className="rp-grid">
      <div className="rp-chat">
        <div className="chat-head">
          <p><strong>{run.persona.name}</strong> — <span className="hint">customer</span></p>
          {cur && <MoodMeter mood={cur.mood} name={run.persona.name} />}
        </div>
        <ol className="chat" aria-label="Conversation" aria-live="polite">
          {run.transcript.map((l) => (
            <li key={l.index}>
              <div className="bubble customer"><span className="who-said">{run.persona.name} <span className="hint">({moodLabel(l.mood)})</span></span>{l.customer}</div>
              <div className="bubble agent"><span className="who-said">You</span>{l.agent_text}</div>
            </li>
          ))}
          {cur && (
            <li>
              <div className="bubble customer current"><span className="who-said">{run.persona.name} <span className="hint">({moodLabel(cur.mood)})</span></span>{cur.customer}</div>
            </li>
          )}
          {over && run.closing && (
            <li><div className="bubble customer"><span className="who-said">{run.persona.name}</span>{run.closing}</div></li>
          )}
        </ol>
        <div ref={logEnd} />
        {error && <p role="alert" className="error">{error}</p>}
        {cur && cur.kind === "choice" && (
          <div className="rp-answer" role="group" aria-labelledby="choose-label" tabIndex={-1} ref={(el) => { answerRef.current = el; }}>
            <p id="choose-label" className="answer-label">Your reply — choose one:</p>
            {cur.options?.map((o, i) => (
              <button key={o.id} type="button" className="option" disabled={busy} onClick={() => void answer({ option_id: o.id })}>
                <span className="option-letter" aria-hidden="true">{String.fromCharCode(65 + i)}</span>
                <span>{o.text}</span>
              </button>
            ))}
          </div>
        )}
        {cur && cur.kind === "free_text" && (
          <form className="rp-answer" onSubmit={(e: FormEvent) => { e.preventDefault(); if (text.trim()) void answer({ text }); }}>
            <label htmlFor="rp-text">Your reply, in your own words</label>
            {cur.prompt && <p id="rp-prompt" className="hint">{cur.prompt}</p>}
            <textarea id="rp-text" rows={4} maxLength={4000} value={text} aria-describedby={cur.prompt ? "rp-prompt" : undefined}
              ref={(el) => { answerRef.current = el; }} onChange={(e) => setText(e.target.value)} />
            <div className="form-actions">
              <button type="submit" disabled={busy || !text.trim()}>{busy ? "Sending…" : "Send reply"}</button>
            </div>
          </form>
        )}
        {children}
      </div>
      <aside className="rp-facts" aria-labelledby="facts-title">
        {/* Open beside the chat on a laptop; on a phone, above it and folded until tapped. */}
        <details ref={factsRef}>
          <summary><h2 id="facts-title">On your screen</h2></summary>
          <dl className="facts">
            {run.facts.map((f) => <div key={f.label}><dt>{f.label}</dt><dd>{f.value}</dd></div>)}
          </dl>
          <h2>The caller</h2>
          <p>{run.persona.situation}</p>
        </details>
      </aside>
    </div>
  );
}

const OUTCOME: Record<RunResult["outcome"], string> = { resolved: "Resolved", retained: "Customer retained", escalated: "Escalated", lost: "Customer lost" };

function RunResultView({ runId, programId }: { runId: string; programId: string }) {
  const result = useQuery({ queryKey: ["run-result", runId], queryFn: () => learning.runResult(runId) });
  const program = useProgram(programId);
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (result.data) headRef.current?.focus();
  }, [result.data]);
  if (result.isError) return <p role="alert" className="error">{result.error.message}</p>;
  if (!result.data) return <p className="loading" role="status">Scoring…</p>;
  const r = result.data;
  return (
    <RunScore r={r} headRef={headRef}
      note={r.signoff_required ? (r.signed_off ? " · signed off by a supervisor" : " · waiting for a supervisor's sign-off") : ""}
      reread={(x) => {
        const l = rereadLink(programId, program.data?.requirements.modules ?? [], x.target);
        return l ? <Link to={l.to}>{l.title} — {l.section}</Link> : x.target;
      }} />
  );
}

/** The scoring of a finished call, from a real run's result or an author's test run. */
export type Scored = Pick<RunResult, "passed" | "overall" | "outcome" | "reasons" | "competencies" | "debrief" | "transcript" | "reread">;

/** A finished call's scores, reasons, debrief, feedback per reply and what to re-read. */
export function RunScore({ r, note = "", reread, headRef, title = "Result" }: {
  r: Scored; note?: string; reread: (x: Scored["reread"][number]) => React.ReactNode;
  headRef?: React.Ref<HTMLHeadingElement>; title?: string;
}) {
  return (
    <section className="rp-result" aria-labelledby="rp-result-title">
      <h2 id="rp-result-title" ref={headRef} tabIndex={-1}>{title}: {r.passed ? "✓ Passed" : "✗ Not passed"} — overall {formatPercent(r.overall)}</h2>
      <p>Outcome: <strong>{OUTCOME[r.outcome]}</strong>{note}</p>
      {r.reasons.length > 0 && (
        <>
          <h3>Why</h3>
          <ul>{r.reasons.map((x, i) => <li key={i}>{x.message}{x.turn_index !== undefined && <span className="hint"> (turn {x.turn_index + 1})</span>}</li>)}</ul>
        </>
      )}
      <table className="list competencies">
        <caption>Competency scores</caption>
        <thead><tr><th scope="col">Competency</th><th scope="col">Weight</th><th scope="col">Score</th><th scope="col">Points</th></tr></thead>
        <tbody>
          {r.competencies.map((c) => (
            <tr key={c.competency}>
              <th scope="row">{c.competency}</th>
              <td>{c.weight}%</td>
              <td>{c.exercised ? <><progress max={100} value={c.score} aria-hidden="true" /> {formatPercent(c.score)}</> : "not exercised"}{c.minimum !== undefined && c.minimum > 0 && <span className="hint"> (minimum {formatPercent(c.minimum)})</span>}</td>
              <td>{c.earned} of {c.possible}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.debrief && (<><h3>Debrief</h3><p>{r.debrief}</p></>)}
      {r.transcript.some((t) => t.feedback.length || t.blockers.length) && (
        <>
          <h3>Feedback on your replies</h3>
          <ol>
            {r.transcript.filter((t) => t.feedback.length || t.blockers.length).map((t) => (
              <li key={t.index} value={t.index + 1}>
                <q>{t.agent_text}</q>
                {t.blockers.map((b) => <p key={b} className="error">Blocker: {b}</p>)}
                {t.feedback.map((f) => <p key={f} className="feedback">{f}</p>)}
              </li>
            ))}
          </ol>
        </>
      )}
      {r.reread.length > 0 && (
        <>
          <h3>Read again</h3>
          <ul>
            {r.reread.map((x) => <li key={x.target}>{x.competency}: {reread(x)}</li>)}
          </ul>
        </>
      )}
    </section>
  );
}
