import { lazy, Suspense, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "react-router-dom";
import { onboarding, type Cohort } from "../api/onboarding";
import { staff } from "../api/staff";
import { useSession } from "../auth/session";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate } from "../lib/format";
import { CSVButton } from "../staff/Compliance";
import { HeatMap } from "./HeatMap";
import { CalendarForm } from "./Calendar";
import { oneDecimal, percent, score } from "./logic";
import { PlanChangesPanel } from "./PlanChanges";

// The charts load with their library (Recharts) only when a cohort page opens.
const PlanDaysChart = lazy(() => import("./Charts").then((m) => ({ default: m.PlanDaysChart })));
const StatsCharts = lazy(() => import("./Charts").then((m) => ({ default: m.StatsCharts })));

/** One cohort: its members, the progress matrix, quiz and role-play figures, and who is at risk. */
export function CohortDetail() {
  const { cohortId = "" } = useParams();
  const { me } = useSession();
  const cohort = useQuery({ queryKey: ["cohort", cohortId], queryFn: () => onboarding.cohort(cohortId), staleTime: 0 });
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? "";
  const [added, setAdded] = useState("");
  const mayEdit = me?.role === "trainer" || me?.role === "supervisor" || me?.role === "admin";
  const c = cohort.data;
  return (
    <section>
      <p><Link to="/cohorts">← Cohorts</Link></p>
      {cohort.isError && <p role="alert" className="error">{cohort.error.message}</p>}
      {cohort.isPending && <p className="loading" role="status">Loading the cohort…</p>}
      <p role="status" className="notice-line">{added || notice}</p>
      {c && (
        <>
          <h1>{c.name}</h1>
          <p className="hint">
            Starts {formatDate(c.start_date)} · {c.programs.map((p) => p.name).join(", ")} · trainer {c.trainer?.display_name || c.trainer?.email || "—"}
            {c.skip_weekends ? " · weekends off" : " · every day a working day"}
            {c.due_from === "join_date" ? " · due dates from each member's join date" : " · due dates from the cohort's start"} · {c.members.length} member{c.members.length === 1 ? "" : "s"}
          </p>
          <nav aria-label="On this page" className="page-nav">
            <a href="#matrix-h">Progress</a> · <a href="#risk-h">At risk</a> · <a href="#stats-h">Quizzes and role-plays</a>{mayEdit && <> · <a href="#manage-h">Members, calendar and plan</a></>}
          </nav>
          <Matrix cohortID={c.id} />
          <AtRisk cohortID={c.id} />
          <Stats cohortID={c.id} cohort={c} />
          {mayEdit && (
            <section aria-labelledby="manage-h" className="report">
              <h2 id="manage-h">Members, calendar and plan</h2>
              <AddMember cohort={c} onAdded={(email) => setAdded(`Added ${email}.`)} />
              <Members cohort={c} onRemoved={(who) => setAdded(`Removed ${who} from the cohort.`)} />
              <CalendarForm cohort={c} />
              <PlanChangesPanel cohort={c} />
            </section>
          )}
        </>
      )}
    </section>
  );
}

type Member = Cohort["members"][number];

/** The cohort's members, each with a Remove button that asks first. */
function Members({ cohort, onRemoved }: { cohort: Cohort; onRemoved: (who: string) => void }) {
  const [leaving, setLeaving] = useState<Member | null>(null);
  if (cohort.members.length === 0) return null;
  return (
    <details className="members">
      <summary>Members ({cohort.members.length})</summary>
      <ul className="plain">
        {cohort.members.map((m) => (
          <li key={m.user_id} className="member-line">
            <span><Link to={`/admin/users/${m.user_id}`}>{m.display_name || m.email}</Link>{m.display_name && <span className="hint"> {m.email}</span>}<span className="hint"> · joined {formatDate(m.added_at)}</span></span>
            <button type="button" onClick={() => setLeaving(m)} aria-label={`Remove ${m.display_name || m.email}`}>Remove</button>
          </li>
        ))}
      </ul>
      {leaving && <RemoveMemberDialog cohort={cohort} member={leaving} onClose={() => setLeaving(null)} onDone={(who) => { setLeaving(null); onRemoved(who); }} />}
    </details>
  );
}

function RemoveMemberDialog({ cohort, member, onClose, onDone }: { cohort: Cohort; member: Member; onClose: () => void; onDone: (who: string) => void }) {
  const qc = useQueryClient();
  const who = member.display_name || member.email;
  const remove = useMutation({
    mutationFn: () => onboarding.removeMember(cohort.id, member.user_id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["cohort", cohort.id] });
      void qc.invalidateQueries({ queryKey: ["cohort-report", cohort.id] });
      void qc.invalidateQueries({ queryKey: ["cohorts"] });
      onDone(who);
    },
  });
  return (
    <Dialog title="Remove this member?" onClose={onClose}>
      <p><strong>{who}</strong> leaves {cohort.name} with their onboarding tasks and due dates. Their enrollments in the cohort's programs and everything they completed stay.</p>
      {remove.isError && <p role="alert" className="error">{remove.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>Remove from cohort</button>
      </div>
    </Dialog>
  );
}

function AddMember({ cohort, onAdded }: { cohort: Cohort; onAdded: (email: string) => void }) {
  const qc = useQueryClient();
  const agents = useQuery({ queryKey: ["staff-users", "agent"], queryFn: () => staff.users("agent") });
  const [userID, setUserID] = useState("");
  const add = useMutation({
    mutationFn: () => onboarding.addMember(cohort.id, userID),
    onSuccess: (c) => {
      const email = agents.data?.find((a) => a.id === userID)?.email ?? "";
      setUserID("");
      qc.setQueryData(["cohort", c.id], c);
      void qc.invalidateQueries({ queryKey: ["cohort-report", c.id] });
      void qc.invalidateQueries({ queryKey: ["cohorts"] });
      onAdded(email);
    },
  });
  const errs = formErrors(add.error, ["user_id"]);
  const formRef = useFocusOnError(add.error);
  const members = new Set(cohort.members.map((m) => m.user_id));
  const options = agents.data?.filter((a) => a.active && !members.has(a.id)) ?? [];
  return (
    <form ref={formRef} className="filters" aria-label="Add a member" noValidate onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <div className="field grow">
        <Field label="Agent to add" error={errs.fields.user_id ?? (agents.isError ? `Cannot load the agents: ${agents.error.message}` : undefined)}>
          <select value={userID} onChange={(e) => setUserID(e.target.value)}>
            <option value="">Choose an agent…</option>
            {options.map((a) => <option key={a.id} value={a.id}>{a.display_name ? `${a.display_name} (${a.email})` : a.email}</option>)}
          </select>
        </Field>
      </div>
      <button type="submit" disabled={add.isPending}>{add.isPending ? "Adding…" : "Add to cohort"}</button>
    </form>
  );
}

function Matrix({ cohortID }: { cohortID: string }) {
  const m = useQuery({ queryKey: ["cohort-report", cohortID, "progress"], queryFn: () => onboarding.progress(cohortID), staleTime: 0 });
  return (
    <section aria-labelledby="matrix-h" className="report">
      <div className="page-head">
        <h2 id="matrix-h">Progress heat map</h2>
        <CSVButton path={`/cohorts/${cohortID}/progress?format=csv`} name={`cohort-progress-${cohortID}.csv`} label="Download progress CSV" />
      </div>
      {m.isError && <p role="alert" className="error">{m.error.message}</p>}
      {m.isPending && <p className="loading" role="status">Loading progress…</p>}
      {m.data && <HeatMap m={m.data} />}
      {m.data && <Suspense fallback={<p className="loading" role="status">Loading the chart…</p>}><PlanDaysChart m={m.data} /></Suspense>}
    </section>
  );
}

function AtRisk({ cohortID }: { cohortID: string }) {
  const q = useQuery({ queryKey: ["cohort-report", cohortID, "at-risk"], queryFn: () => onboarding.atRisk(cohortID), staleTime: 0 });
  return (
    <section aria-labelledby="risk-h" className="report">
      <h2 id="risk-h">Agents at risk</h2>
      {q.isError && <p role="alert" className="error">{q.error.message}</p>}
      {q.data?.length === 0 && <p>Nobody is behind or failing a quiz repeatedly.</p>}
      {!!q.data?.length && (
        <ul className="at-risk">
          {q.data.map((a) => (
            <li key={a.user_id}>
              <strong>{a.display_name || a.email}</strong> <span className={`badge ${a.status === "behind" ? "bad" : "warn"}`}>{a.status === "behind" ? `Behind, ${a.overdue} overdue` : "At risk"}</span>
              <ul>{a.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Stats({ cohortID, cohort }: { cohortID: string; cohort: Cohort }) {
  const q = useQuery({ queryKey: ["cohort-report", cohortID, "stats"], queryFn: () => onboarding.stats(cohortID), staleTime: 0 });
  const program = (id: string) => cohort.programs.find((p) => p.program_id === id)?.name ?? "";
  return (
    <section aria-labelledby="stats-h" className="report" id="charts">
      <h2 id="stats-h">Quizzes and role-plays</h2>
      {q.isError && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && <Suspense fallback={<p className="loading" role="status">Loading the charts…</p>}><StatsCharts st={q.data} programName={program} /></Suspense>}
      {q.data && (
        <div className="grid-2">
          <div className="table-scroll" role="region" aria-label="Quiz pass rates" tabIndex={0}>
          <table className="list wrap-head">
            <caption>Quiz pass rates</caption>
            <thead><tr><th scope="col">Quiz</th><th scope="col">Attempted</th><th scope="col">Passed</th><th scope="col">Pass rate</th><th scope="col">Average attempts</th></tr></thead>
            <tbody>
              {q.data.quizzes.length === 0 && <tr><td colSpan={5}>No required quizzes.</td></tr>}
              {q.data.quizzes.map((z) => (
                <tr key={`${z.program_id}-${z.quiz}`}>
                  <th scope="row">{z.title || z.quiz}<span className="hint"> {program(z.program_id)}</span></th>
                  <td>{z.attempted} of {z.members}</td><td>{z.passed}</td><td>{percent(z.pass_rate)}</td><td>{oneDecimal(z.average_attempts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <div className="table-scroll" role="region" aria-label="Role-play competency averages" tabIndex={0}>
          <table className="list wrap-head">
            <caption>Role-play competency averages</caption>
            <thead><tr><th scope="col">Role-play</th><th scope="col">Competency</th><th scope="col">Mean score</th><th scope="col">Runs</th></tr></thead>
            <tbody>
              {q.data.competencies.length === 0 && <tr><td colSpan={4}>No scored runs yet.</td></tr>}
              {q.data.competencies.map((c) => (
                <tr key={`${c.program_id}-${c.roleplay}-${c.competency}`}>
                  <th scope="row">{c.title || c.roleplay}</th><td>{c.competency}</td><td>{score(c.average)}</td><td>{c.runs}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </div>
      )}
    </section>
  );
}
