import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { staff, type AttemptFilter, type AttemptRow } from "../api/staff";
import { Dialog } from "../components/Dialog";
import { Field } from "../components/Field";
import { formatDateTime, formatPercent } from "../lib/format";
import { plainText } from "./Analysis";
import { answerText, personLabel } from "./logic";

/**
 * A quiz's attempts for its client's staff, newest first, filtered by agent,
 * state and result (kept in the address); each submitted attempt opens in
 * full: every question as the agent saw it, their answer, the mark, the
 * correct answer and the feedback.
 */
export function QuizAttempts() {
  const { quizId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter: AttemptFilter = {
    user_id: params.get("agent") ?? "",
    state: (params.get("state") ?? "") as AttemptFilter["state"],
    passed: (params.get("passed") ?? "") as AttemptFilter["passed"],
  };
  const attempts = useQuery({ queryKey: ["quiz-attempts", quizId, filter], queryFn: () => staff.attempts(quizId, filter) });
  // The agent filter offers everyone who has attempted the quiz.
  const everyone = useQuery({ queryKey: ["quiz-attempts", quizId, {}], queryFn: () => staff.attempts(quizId, {}) });
  const agents = [...new Map((everyone.data ?? []).map((a) => [a.user_id, a])).values()].sort((a, b) => personLabel(a).localeCompare(personLabel(b)));
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("attempt");
    setParams(next, { replace: true });
  };
  const openID = params.get("attempt");
  const programID = params.get("program");
  const error = attempts.error ?? everyone.error;
  // Reached from a program, the page names the quiz.
  const quizzes = useQuery({ queryKey: ["staff-quizzes", programID], queryFn: () => staff.quizzes(programID!), enabled: !!programID });
  const title = quizzes.data?.find((q) => q.id === quizId)?.title;
  return (
    <section>
      <p>{programID ? <Link to={`/library/programs/${programID}`}>← Program</Link> : <Link to="/library">← Content library</Link>}</p>
      <h1>{title ? `Attempts: ${title}` : "Quiz attempts"}</h1>
      <p>
        <Link to={`/library/quizzes/${quizId}${programID ? `?program=${programID}` : ""}`}>Item analysis of this quiz</Link>
      </p>
      <form className="filters" role="search" aria-label="Filter the attempts" onSubmit={(e) => e.preventDefault()}>
        <Field label="Agent">
          <select value={filter.user_id} onChange={(e) => set("agent", e.target.value)}>
            <option value="">Every agent</option>
            {agents.map((a) => <option key={a.user_id} value={a.user_id}>{personLabel(a)}</option>)}
          </select>
        </Field>
        <Field label="State">
          <select value={filter.state} onChange={(e) => set("state", e.target.value)}>
            <option value="">Open and submitted</option>
            <option value="open">Open</option>
            <option value="submitted">Submitted</option>
          </select>
        </Field>
        <Field label="Result">
          <select value={filter.passed} onChange={(e) => set("passed", e.target.value)}>
            <option value="">Any result</option>
            <option value="true">Passed</option>
            <option value="false">Failed</option>
          </select>
        </Field>
      </form>
      {error && <p role="alert" className="error">{error.message}</p>}
      {attempts.isPending && <p className="loading" role="status">Loading the attempts…</p>}
      {attempts.data && (
        <p role="status">{attempts.data.length === 1 ? "1 attempt" : `${attempts.data.length} attempts`}</p>
      )}
      {!!attempts.data?.length && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Attempts">
          <table className="list">
            <caption className="sr-only">The quiz's attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th><th scope="col">Attempt</th><th scope="col">Started</th>
                <th scope="col">Submitted</th><th scope="col">Score</th><th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {attempts.data.map((a) => <AttemptLine key={a.id} a={a} params={params} />)}
            </tbody>
          </table>
        </div>
      )}
      {openID && (
        <AttemptDialog
          attemptID={openID}
          row={attempts.data?.find((a) => a.id === openID)}
          onClose={() => { const next = new URLSearchParams(params); next.delete("attempt"); setParams(next, { replace: true }); }}
        />
      )}
    </section>
  );
}

function AttemptLine({ a, params }: { a: AttemptRow; params: URLSearchParams }) {
  const open = new URLSearchParams(params);
  open.set("attempt", a.id);
  return (
    <tr>
      <td>{a.display_name || a.email}{a.display_name && <><br /><span className="hint">{a.email}</span></>}</td>
      <td>
        {a.submitted_at ? <Link to={`?${open}`} aria-label={`Attempt ${a.number} by ${a.display_name || a.email}`}>Attempt {a.number}</Link> : `Attempt ${a.number}`}
        <span className="hint"> · v{a.quiz_version}</span>
      </td>
      <td>{formatDateTime(a.started_at)}</td>
      <td>{a.submitted_at ? <>{formatDateTime(a.submitted_at)}{a.auto_submitted && <span className="hint"> · at the deadline</span>}</> : <span className="badge off">Open</span>}</td>
      <td>{a.percent === null ? "—" : formatPercent(a.percent)}</td>
      <td>{a.passed === null ? "—" : a.passed ? <span className="badge ok">Passed</span> : <span className="badge bad">Failed</span>}</td>
    </tr>
  );
}

function AttemptDialog({ attemptID, row, onClose }: { attemptID: string; row?: AttemptRow; onClose: () => void }) {
  const r = useQuery({ queryKey: ["attempt-result", attemptID], queryFn: () => staff.attemptResult(attemptID) });
  const who = row ? row.display_name || row.email : "";
  const title = r.data ? `${r.data.quiz_title ?? "Quiz"}: attempt ${r.data.number}${who ? ` by ${who}` : ""}` : "Attempt";
  return (
    <Dialog title={title} onClose={onClose} variant="drawer">
      {r.error && <p role="alert" className="error">{r.error.message}</p>}
      {r.isPending && <p className="loading" role="status">Loading the attempt…</p>}
      {r.data && (
        <>
          <p>
            {formatPercent(r.data.result.percent)} (pass at {formatPercent(r.data.result.pass_percent)}){" "}
            {r.data.result.passed ? <span className="badge ok">Passed</span> : <span className="badge bad">Failed</span>}
            <span className="hint"> · version {r.data.quiz_version}, submitted {formatDateTime(r.data.submitted_at)}{r.data.auto_submitted ? " at the deadline" : ""}</span>
          </p>
          <ol className="attempt-questions">
            {(r.data.result.questions ?? []).map((qr) => {
              const q = r.data.questions?.find((x) => x.id === qr.id);
              const given = answerText(q, qr.response);
              return (
                <li key={qr.id}>
                  <p><strong>{q ? plainText(q.text) : qr.id}</strong></p>
                  <p>
                    {qr.correct ? <span className="badge ok">Right</span> : qr.mark > 0 ? <span className="badge warn">Partly right</span> : <span className="badge bad">Wrong</span>}
                    <span className="hint"> · {Math.round(qr.mark * qr.points * 100) / 100} of {qr.points} {qr.points === 1 ? "point" : "points"}</span>
                  </p>
                  <p>Answer: {given || <em>not answered</em>}</p>
                  {!qr.correct && qr.correct_answer && <p>Correct answer: {answerText(q, qr.correct_answer)}</p>}
                  {qr.feedback?.map((f) => <p key={f} className="hint">{f}</p>)}
                </li>
              );
            })}
          </ol>
        </>
      )}
      <div className="dialog-actions"><button type="button" onClick={onClose}>Close</button></div>
    </Dialog>
  );
}
