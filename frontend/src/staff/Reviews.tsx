import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { staff, type ReviewedRun, type RunComment, type StaffUser } from "../api/staff";
import { useSession } from "../auth/session";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime, formatPercent } from "../lib/format";
import { usePrograms } from "../training/hooks";

/** Role-play runs waiting for a supervisor's sign-off, oldest first. */
export function ReviewQueue() {
  const reviews = useQuery({ queryKey: ["reviews"], queryFn: staff.reviews, staleTime: 0 });
  const programs = usePrograms();
  const programName = (id: string) => programs.data?.find((p) => p.id === id)?.name ?? "";
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? "";
  return (
    <section>
      <h1>Role-play reviews</h1>
      <p role="status" className="notice-line">{notice}</p>
      <p className="hint">Passing runs of role-plays that need a supervisor's sign-off. Read the transcript, comment on turns, then approve or send back.</p>
      {reviews.error && <p role="alert" className="error">{reviews.error.message}</p>}
      {reviews.isPending && <p className="loading" role="status">Loading the queue…</p>}
      {reviews.data?.length === 0 && <p>Nothing is waiting for review.</p>}
      {!!reviews.data?.length && (
        <table className="list">
          <caption className="sr-only">Runs awaiting review, oldest first</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Role-play</th><th scope="col">Program</th><th scope="col">Finished</th><th scope="col">Score</th><th scope="col"><span className="sr-only">Review</span></th></tr>
          </thead>
          <tbody>
            {reviews.data.map((r) => (
              <tr key={r.run_id}>
                <td>{r.user_name || r.user_email}</td>
                <td>{r.title || r.slug} <span className="hint">v{r.version}</span></td>
                <td>{programName(r.program_id)}</td>
                <td>{formatDateTime(r.finished_at)}</td>
                <td>{formatPercent(r.overall)}</td>
                <td><Link to={`/reviews/${r.run_id}`} aria-label={`Review ${r.user_name || r.user_email}'s run of ${r.title || r.slug}`}>Review</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One run to review: the transcript with the scoring, comments per turn, and the decision. */
export function ReviewRun() {
  const { runId = "" } = useParams();
  const run = useQuery({ queryKey: ["review-run", runId], queryFn: () => staff.run(runId) });
  const { me } = useSession();
  // Compliance watches the queue; supervisors and admins decide.
  const decides = me?.role === "supervisor" || me?.role === "admin";
  if (run.error) return <p role="alert" className="error">{run.error.message}</p>;
  if (!run.data) return <p className="loading" role="status">Loading the run…</p>;
  const r = run.data;
  return (
    <section>
      <p><Link to="/reviews">← Review queue</Link></p>
      <h1>{r.title}</h1>
      <Agent run={r} />
      <p className="lead">
        Outcome <strong>{r.outcome}</strong>, overall <strong>{formatPercent(r.overall)}</strong> — {r.passed ? "passed on its score" : "did not pass"}.
        {r.state === "pending_review" ? " Waiting for your sign-off." : r.review ? ` Reviewed: ${r.review.decision === "approve" ? "approved" : "sent back"}.` : ""}
      </p>
      <div className="rp-grid">
        <div>
          <h2>Transcript</h2>
          <ol className="review-transcript">
            {r.transcript.map((t) => (
              <Turn key={t.index} runID={r.run_id} turn={t} comments={r.comments.filter((c) => c.turn_index === t.index)} open={decides && r.state === "pending_review"} />
            ))}
          </ol>
          {r.closing && <p className="bubble customer"><span className="who-said">Customer</span>{r.closing}</p>}
        </div>
        <aside className="rp-facts" aria-label="Scores">
          <table className="competencies">
            <caption>Competency scores</caption>
            <thead><tr><th scope="col">Competency</th><th scope="col">Score</th></tr></thead>
            <tbody>
              {r.competencies.map((c) => (
                <tr key={c.competency}>
                  <th scope="row" className="cap">{c.competency.replace(/-/g, " ")}</th>
                  <td>{c.exercised ? formatPercent(c.score) : "not exercised"}{c.minimum !== undefined && <span className="hint"> (minimum {formatPercent(c.minimum)})</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.reasons.length > 0 && (
            <>
              <h3>Why it did not pass</h3>
              <ul>{r.reasons.map((x, i) => <li key={i}>{x.message}</li>)}</ul>
            </>
          )}
          <h3>Debrief</h3>
          <p>{r.debrief}</p>
        </aside>
      </div>
      {r.state === "pending_review" ? (decides ? <Decision run={r} /> : <p className="hint">A supervisor of the client signs this run off.</p>) : r.review && (
        <p className="panel">Decision: <strong>{r.review.decision === "approve" ? "approved" : "sent back"}</strong> {formatDateTime(r.review.reviewed_at)}{r.review.note && <> — “{r.review.note}”</>}</p>
      )}
    </section>
  );
}

function Turn({ runID, turn, comments, open }: { runID: string; turn: ReviewedRun["transcript"][number]; comments: RunComment[]; open: boolean }) {
  const qc = useQueryClient();
  const [text, setText] = useState("");
  const add = useMutation({
    mutationFn: () => staff.comment(runID, turn.index, text.trim()),
    onSuccess: () => {
      setText("");
      void qc.invalidateQueries({ queryKey: ["review-run", runID] });
    },
  });
  const errs = formErrors(add.error, ["text", "turn_index"]);
  const ref = useFocusOnError(add.error);
  return (
    <li className="review-turn" aria-label={`Turn ${turn.index + 1}`}>
      <p className="bubble customer"><span className="who-said">Customer · {turn.mood}</span>{turn.customer}</p>
      <p className="bubble agent"><span className="who-said">Agent</span>{turn.agent_text}</p>
      {(turn.feedback.length > 0 || turn.blockers.length > 0) && (
        <ul className="turn-notes">
          {turn.blockers.map((b) => <li key={b} className="bad">Blocker: {b}</li>)}
          {turn.feedback.map((f) => <li key={f}>{f}</li>)}
        </ul>
      )}
      {comments.length > 0 && (
        <ul className="comments" aria-label={`Comments on turn ${turn.index + 1}`}>
          {comments.map((c) => <li key={c.id}><strong>Comment:</strong> {c.text} <span className="hint">{formatDateTime(c.created_at)}</span></li>)}
        </ul>
      )}
      {open && (
        <form ref={ref} className="comment-form" noValidate onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
          <ErrorSummary summary={errs.summary} other={errs.other} />
          <Field label={`Comment on turn ${turn.index + 1}`} error={errs.fields.text ?? errs.fields.turn_index}>
            <input value={text} onChange={(e) => setText(e.target.value)} maxLength={4000} />
          </Field>
          <button type="submit" className="small" disabled={add.isPending || !text.trim()}>Add comment</button>
        </form>
      )}
    </li>
  );
}

/** Who played the run, by name, with the email beneath. */
function Agent({ run }: { run: ReviewedRun }) {
  const agent = useQuery({ queryKey: ["person", run.user_id], queryFn: () => staff.person(run.user_id) });
  if (!agent.data) return null;
  return (
    <p className="lead">
      Played by <strong><Link to={`/admin/users/${run.user_id}`}>{agent.data.display_name || agent.data.email}</Link></strong>
      {agent.data.display_name && <span className="hint"> {agent.data.email}</span>}
    </p>
  );
}

const CERT_STATE: Record<string, string> = {
  in_training: "still in training", certified: "certified", refresher_due: "refresher due", expired: "expired", revoked: "revoked",
};

/** What a decision did to the agent's certification in the run's program, in a sentence ("" when it cannot be read). */
async function certificationAfter(run: ReviewedRun, who: string): Promise<string> {
  try {
    const c = (await staff.certifications(run.user_id)).find((x) => x.program_id === run.program_id);
    if (!c) return "";
    const until = c.state === "certified" && c.expires_at ? ` until ${formatDate(c.expires_at)}` : "";
    return ` ${who} is ${CERT_STATE[c.state] ?? c.state} in ${c.program_name}${until}.`;
  } catch {
    return "";
  }
}

function Decision({ run }: { run: ReviewedRun }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [note, setNote] = useState("");
  const decide = useMutation({
    mutationFn: (decision: "approve" | "send_back") => staff.review(run.run_id, decision, note.trim()),
    onSuccess: async (res, decision) => {
      void qc.invalidateQueries({ queryKey: ["reviews"] });
      qc.setQueryData(["review-run", run.run_id], res);
      const agent = qc.getQueryData<StaffUser>(["person", run.user_id]);
      const cert = await certificationAfter(res, agent ? agent.display_name || agent.email : "The agent");
      navigate("/reviews", { state: { notice: `${decision === "approve" ? "Approved and signed off." : "Sent back to the agent."}${cert}` } });
    },
  });
  const errs = formErrors(decide.error, ["note"]);
  const ref = useFocusOnError(decide.error);
  return (
    <form ref={ref} className="panel decision" noValidate onSubmit={(e) => e.preventDefault()}>
      <h2>Your decision</h2>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <Field label="Note to the agent" hint="Required when you send the run back: say what to do differently." error={errs.fields.note}>
        <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={4000} />
      </Field>
      <div className="form-actions">
        <button type="button" className="primary" disabled={decide.isPending} onClick={() => decide.mutate("approve")}>Approve and sign off</button>
        <button type="button" className="danger" disabled={decide.isPending} onClick={() => decide.mutate("send_back")}>Send back</button>
      </div>
    </form>
  );
}
