import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "react-router-dom";
import { onboarding, type Cohort, type CohortMatrix, type DueFrom } from "../api/onboarding";
import { staff } from "../api/staff";
import { useSession } from "../auth/session";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate } from "../lib/format";
import { CSVButton } from "../staff/Compliance";
import { DUE_FROM_LABEL, oneDecimal, overdueByColumn, percent, score, STATUS_LABEL, statusClass, taskLabel } from "./logic";

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
          {mayEdit && <AddMember cohort={c} onAdded={(email) => setAdded(`Added ${email}.`)} />}
          {mayEdit && <Members cohort={c} onRemoved={(who) => setAdded(`Removed ${who} from the cohort.`)} />}
          {mayEdit && <Schedule cohort={c} />}
          <Matrix cohortID={c.id} />
          <AtRisk cohortID={c.id} />
          <Stats cohortID={c.id} cohort={c} />
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
            <span>{m.display_name || m.email}{m.display_name && <span className="hint"> {m.email}</span>}<span className="hint"> · joined {formatDate(m.added_at)}</span></span>
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

/** Where the plan's days count from; changing it moves every member's due dates. */
function Schedule({ cohort }: { cohort: Cohort }) {
  const qc = useQueryClient();
  const [dueFrom, setDueFrom] = useState<DueFrom>(cohort.due_from);
  const [saved, setSaved] = useState("");
  const save = useMutation({
    mutationFn: () => onboarding.setCalendar(cohort.id, { days_off: cohort.days_off, working_days: cohort.working_days, due_from: dueFrom }),
    onSuccess: (c) => {
      qc.setQueryData(["cohort", c.id], c);
      void qc.invalidateQueries({ queryKey: ["cohort-report", c.id] });
      setSaved("Saved: the due dates follow.");
    },
  });
  const errs = formErrors(save.error, ["due_from"]);
  return (
    <form className="filters" aria-label="Due dates" noValidate onSubmit={(e) => { e.preventDefault(); setSaved(""); save.mutate(); }}>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <div className="field grow">
        <Field label="Count due dates from" error={errs.fields.due_from}>
          <select value={dueFrom} onChange={(e) => setDueFrom(e.target.value as DueFrom)}>
            {(Object.keys(DUE_FROM_LABEL) as DueFrom[]).map((k) => <option key={k} value={k}>{DUE_FROM_LABEL[k]}</option>)}
          </select>
        </Field>
      </div>
      <button type="submit" disabled={save.isPending || dueFrom === cohort.due_from}>{save.isPending ? "Saving…" : "Save"}</button>
      <span role="status" className="hint">{saved}</span>
    </form>
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
        <h2 id="matrix-h">Progress</h2>
        <CSVButton path={`/cohorts/${cohortID}/progress?format=csv`} name={`cohort-progress-${cohortID}.csv`} label="Download progress CSV" />
      </div>
      {m.isError && <p role="alert" className="error">{m.error.message}</p>}
      {m.isPending && <p className="loading" role="status">Loading progress…</p>}
      {m.data && <MatrixTable m={m.data} />}
    </section>
  );
}

/** Members × tasks, each cell the task's status in words; overdue cells are highlighted and counted per column. */
export function MatrixTable({ m }: { m: CohortMatrix }) {
  if (m.rows.length === 0) return <p>No members yet: add agents to see their progress.</p>;
  if (m.columns.length === 0) return <p>The cohort's programs have no onboarding plan.</p>;
  const overdue = overdueByColumn(m.rows, m.columns.length);
  return (
    <div className="table-scroll" role="region" aria-labelledby="matrix-caption" tabIndex={0}>
      <table className="list matrix">
        <caption id="matrix-caption">Progress of {m.name} as of {formatDate(m.as_of)}: members by task</caption>
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            {m.columns.map((c, i) => (
              <th scope="col" key={`${c.program_id}-${c.kind}-${c.slug}-${i}`}>
                <span className="col-task">{taskLabel(c.kind, c.slug, c.title)}</span>
                <span className="hint">{c.program_name || c.program} · day {c.day} · due {formatDate(c.due_date)}</span>
                {overdue[i] > 0 && <span className="hint overdue-count">{overdue[i]} overdue</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.rows.map((r) => (
            <tr key={r.user_id} className={r.status === "behind" ? "behind" : undefined}>
              <th scope="row">{r.display_name || r.email}<span className="hint"> {r.done} done</span></th>
              <td><span className={`badge ${r.status === "behind" ? "bad" : "ok"}`}>{r.status === "behind" ? `Behind (${r.overdue} overdue)` : "On track"}</span></td>
              {r.cells.map((cell, i) => (
                <td key={i} className={cell.status === "overdue" ? "cell-overdue" : undefined}>
                  <span className={`badge ${statusClass(cell.status)}`}>{STATUS_LABEL[cell.status]}</span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
    <section aria-labelledby="stats-h" className="report">
      <h2 id="stats-h">Quizzes and role-plays</h2>
      {q.isError && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && (
        <div className="grid-2">
          <table className="list">
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
          <table className="list">
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
      )}
    </section>
  );
}
