import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { learning, type QuizGate, type QuizSummary, type RoleplaySummary } from "../api/learning";
import { formatDateTime, formatPercent } from "../lib/format";
import { KIND_LABEL, ProgressBar, StepStatus } from "./StepStatus";
import { useProgramStanding } from "./hooks";

/** One program: the plan with each requirement's state, the quizzes and role-plays to start. */
export function ProgramPage() {
  const { programId = "" } = useParams();
  const s = useProgramStanding(programId);
  if (s.error) return <p role="alert" className="error">{s.error.message}</p>;
  if (!s.program || !s.standing) return <p className="loading" role="status">Loading the program…</p>;
  const p = s.program;
  return (
    <section>
      <p><Link to="/training">← My training</Link></p>
      <h1>{p.name}</h1>
      <p className="lead">{p.description}</p>
      <ProgressBar done={s.standing.done} total={s.standing.total} label="Progress in this program" />

      <h2>Your plan</h2>
      <table className="list plan">
        <caption className="sr-only">Requirements in plan order</caption>
        <thead>
          <tr><th scope="col">Day</th><th scope="col">What</th><th scope="col">Title</th><th scope="col">Status</th></tr>
        </thead>
        <tbody>
          {s.standing.steps.map((st) => (
            <tr key={`${st.kind}:${st.slug}`} aria-current={st === s.standing!.next ? "step" : undefined} className={st === s.standing!.next ? "is-next" : undefined}>
              <td>{st.day ?? "—"}</td>
              <td>{KIND_LABEL[st.kind]}</td>
              <td>
                {st.kind === "module" && st.id ? <Link to={`/training/${p.id}/modules/${st.id}`}>{st.title}</Link> : st.title}
                {st === s.standing!.next && <span className="badge next-badge">Next</span>}
                {st.kind === "quiz" && <GateHint gate={s.quizzes?.find((q) => q.slug === st.slug)?.opens_after} />}
              </td>
              <td><StepStatus step={st} /></td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="columns">
        <div>
          <h2>Quizzes</h2>
          {s.quizzes?.length === 0 && <p>This program has no quizzes.</p>}
          {s.quizzes?.map((q) => <QuizCard key={q.id} programID={p.id} quiz={q} />)}
        </div>
        <div>
          <h2>Role-plays</h2>
          {s.roleplays === null ? (
            <ul>
              {p.requirements.roleplays.map((r) => <li key={r.slug}>{r.slug} <span className="hint">(this server cannot list role-plays yet)</span></li>)}
            </ul>
          ) : s.roleplays.length === 0 ? (
            <p>This program has no role-plays.</p>
          ) : (
            s.roleplays.map((r) => <RoleplayCard key={r.id} programID={p.id} rp={r} />)
          )}
          {p.requirements.licenses.length > 0 && (
            <>
              <h2>Licenses needed</h2>
              <ul>
                {p.requirements.licenses.map((l) => (
                  <li key={l.class}>
                    {l.class} ({l.lines.join(", ")}) for {l.states.join(", ")} — <Link to="/licenses">my licenses</Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function minutes(s: number) {
  return s ? `${Math.round(s / 60)} minutes` : "untimed";
}

function QuizCard({ programID, quiz }: { programID: string; quiz: QuizSummary }) {
  const navigate = useNavigate();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const a = quiz.my_attempts;
  async function start() {
    setBusy(true);
    setError("");
    try {
      const attempt = await learning.startAttempt(quiz.id);
      navigate(`/training/${programID}/quiz/${attempt.id}`);
    } catch (e) {
      const next = e instanceof ApiError ? (e.details as { next_start_at?: string } | undefined)?.next_start_at : undefined;
      setError(e instanceof Error ? e.message + (next ? ` You may start again at ${formatDateTime(next)}.` : "") : String(e));
      setBusy(false);
    }
  }
  const label = a?.open_attempt_id ? "Resume quiz" : "Start quiz";
  return (
    <article className="panel item-card" aria-labelledby={`quiz-${quiz.id}`}>
      <h3 id={`quiz-${quiz.id}`}>{quiz.title}</h3>
      <p className="hint">
        {quiz.questions} questions · {minutes(quiz.time_limit_seconds)} · pass mark {formatPercent(quiz.pass_percent)} ·{" "}
        {quiz.attempts_allowed ? `${quiz.attempts_allowed} attempts` : "unlimited attempts"}
      </p>
      {a && (
        <p>
          {a.passed ? <span className="badge ok">Passed</span> : <span className="badge off">Not passed yet</span>}{" "}
          {a.best_percent !== null && <>Best {formatPercent(a.best_percent)} · </>}
          Attempts used {a.used}{a.remaining !== null && `, ${a.remaining} left`}
          {!a.can_start && !a.open_attempt_id && a.next_start_at && <> · next attempt from {formatDateTime(a.next_start_at)}</>}
        </p>
      )}
      {quiz.opens_after && !quiz.opens_after.open && <Gate programID={programID} quizID={quiz.id} gate={quiz.opens_after} />}
      {error && <p role="alert" className="error">{error}</p>}
      {a && !a.locked && (a.can_start || a.open_attempt_id) && (
        <button type="button" className="primary" disabled={busy} onClick={() => void start()} aria-describedby={`quiz-${quiz.id}`}>
          {busy ? "Starting…" : label}
        </button>
      )}
    </article>
  );
}

/** "Locked: 2 modules to complete first", beside a gated quiz in the plan. */
function GateHint({ gate }: { gate?: QuizGate }) {
  if (!gate || gate.open) return null;
  const left = gate.modules.filter((m) => !m.done).length;
  return <span className="hint"> · <span className="badge off">Locked</span> {left} module{left === 1 ? "" : "s"} to complete first</span>;
}

/** Why a gated quiz is locked and what opens it: the modules, those left linked. */
function Gate({ programID, quizID, gate }: { programID: string; quizID: string; gate: QuizGate }) {
  const left = gate.modules.filter((m) => !m.done);
  return (
    <div className="gate" id={`quiz-${quizID}-gate`}>
      <p><span className="badge off">Locked</span> This quiz opens once you have completed {left.length === 1 ? "this module" : `these ${left.length} modules`}:</p>
      <ul>
        {gate.modules.map((m) => (
          <li key={m.module_id}>
            {m.done ? <>{m.title} <span className="badge ok">Completed</span></> : <Link to={`/training/${programID}/modules/${m.module_id}`}>{m.title}</Link>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RoleplayCard({ programID, rp }: { programID: string; rp: RoleplaySummary }) {
  const navigate = useNavigate();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function start() {
    if (rp.open_run_id) {
      navigate(`/training/${programID}/roleplay/${rp.open_run_id}`);
      return;
    }
    setBusy(true);
    setError("");
    try {
      const run = await learning.startRun(rp.id);
      navigate(`/training/${programID}/roleplay/${run.id}`);
    } catch (e) {
      const d = e instanceof ApiError ? (e.details as { open_run_id?: string; next_allowed_at?: string } | undefined) : undefined;
      if (d?.open_run_id) {
        navigate(`/training/${programID}/roleplay/${d.open_run_id}`);
        return;
      }
      setError(e instanceof Error ? e.message + (d?.next_allowed_at ? ` You may start again at ${formatDateTime(d.next_allowed_at)}.` : "") : String(e));
      setBusy(false);
    }
  }
  const left = rp.attempts_allowed ? rp.attempts_allowed - rp.attempts_used : null;
  return (
    <article className="panel item-card" aria-labelledby={`rp-${rp.id}`}>
      <h3 id={`rp-${rp.id}`}>{rp.title}</h3>
      <p className="hint">{rp.summary}</p>
      <p>
        {rp.passed ? <span className="badge ok">Passed</span> : <span className="badge off">Not passed yet</span>}{" "}
        {rp.best_overall !== null && <>Best {formatPercent(rp.best_overall)} · </>}
        Runs used {rp.attempts_used}{left !== null && `, ${left} left`}
        {rp.signoff && " · a supervisor signs off the passing run"}
      </p>
      {error && <p role="alert" className="error">{error}</p>}
      {(rp.open_run_id || left === null || left > 0) && (
        <button type="button" className="primary" disabled={busy} onClick={() => void start()} aria-describedby={`rp-${rp.id}`}>
          {busy ? "Starting…" : rp.open_run_id ? "Resume role-play" : "Start role-play"}
        </button>
      )}
    </article>
  );
}
