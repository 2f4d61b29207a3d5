import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { useSession } from "../auth/session";
import { staff, type RosterAgent } from "../api/staff";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { usePrograms } from "../training/hooks";
import { assignable, reasonText, refusalReasons } from "./logic";

/** A program's queue: who is assigned, whether each may take contacts now and why not; assign and unassign. */
export function Rosters() {
  const programs = usePrograms();
  const [params, setParams] = useSearchParams();
  const programID = params.get("program") ?? programs.data?.[0]?.id ?? "";
  const { me } = useSession();
  const mayAssign = me?.role === "supervisor" || me?.role === "admin";
  return (
    <section>
      <h1>Program rosters</h1>
      <p className="hint">Who is assigned to each program's queue and whether the routing system may send them contacts now.</p>
      {programs.error && <p role="alert" className="error">{programs.error.message}</p>}
      {programs.isPending && <p className="loading" role="status">Loading programs…</p>}
      {programs.data?.length === 0 && <p>You see no programs.</p>}
      {!!programs.data?.length && (
        <div className="filters">
          <Field label="Program">
            <select value={programID} onChange={(e) => setParams({ program: e.target.value }, { replace: true })}>
              {programs.data.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </Field>
        </div>
      )}
      {programID && <Roster programID={programID} mayAssign={mayAssign} />}
    </section>
  );
}

function Roster({ programID, mayAssign }: { programID: string; mayAssign: boolean }) {
  const roster = useQuery({ queryKey: ["roster", programID], queryFn: () => staff.roster(programID), staleTime: 0 });
  const [unassigning, setUnassigning] = useState<RosterAgent | null>(null);
  const [notice, setNotice] = useState("");
  const agents = roster.data?.agents ?? [];
  const eligible = agents.filter((a) => a.eligible).length;
  return (
    <>
      <p role="status" className="notice-line">{notice}</p>
      {mayAssign && <AssignForm programID={programID} roster={agents} onAssigned={(name) => setNotice(`Assigned ${name} to the queue.`)} />}
      {roster.error && <p role="alert" className="error">{roster.error.message}</p>}
      {roster.isPending && <p className="loading" role="status">Loading the roster…</p>}
      {roster.data && (
        <>
          <h2>Assigned agents <span className="hint">({eligible} of {agents.length} eligible, checked {formatDateTime(roster.data.checked_at)})</span></h2>
          {agents.length === 0 ? <p>Nobody is assigned to this program yet.</p> : (
            <table className="list roster">
              <caption className="sr-only">Assigned agents with eligibility</caption>
              <thead>
                <tr><th scope="col">Agent</th><th scope="col">Eligible</th><th scope="col">Why not</th><th scope="col">Answer holds until</th><th scope="col">Assignment</th>{mayAssign && <th scope="col"><span className="sr-only">Actions</span></th>}</tr>
              </thead>
              <tbody>
                {agents.map((a) => (
                  <tr key={a.agent_id}>
                    <td>{a.display_name ? <>{a.display_name}<br /><span className="hint">{a.email}</span></> : a.email}{a.external_id && <><br /><span className="hint">ACD id {a.external_id}</span></>}</td>
                    <td>{a.eligible ? <span className="badge ok">Eligible</span> : <span className="badge bad">Not eligible</span>}</td>
                    <td>
                      {a.reasons.length === 0 ? "—" : <ul className="reasons">{a.reasons.map((r, i) => <li key={i}>{reasonText(r)}</li>)}</ul>}
                      {!!a.covered_states?.length && <span className="hint">Covered states: {a.covered_states.join(", ")}</span>}
                    </td>
                    <td>{a.valid_until ? formatDateTime(a.valid_until) : "No change scheduled"}</td>
                    <td>{a.assignment_status === "active" ? <span className="badge ok">Active</span> : <span className="badge warn">Suspended</span>}</td>
                    {mayAssign && (
                      <td><button type="button" className="small" onClick={() => setUnassigning(a)} aria-label={`Unassign ${a.email}`}>Unassign</button></td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {unassigning && (
        <UnassignDialog programID={programID} agent={unassigning} onClose={() => setUnassigning(null)} onDone={(name) => { setUnassigning(null); setNotice(`Took ${name} out of the queue.`); }} />
      )}
    </>
  );
}

function AssignForm({ programID, roster, onAssigned }: { programID: string; roster: RosterAgent[]; onAssigned: (name: string) => void }) {
  const qc = useQueryClient();
  const enrollments = useQuery({ queryKey: ["enrollments", programID], queryFn: () => staff.enrollments(programID) });
  const users = useQuery({ queryKey: ["staff-users", "agent"], queryFn: () => staff.users("agent") });
  const [userID, setUserID] = useState("");
  const options = enrollments.data && users.data ? assignable(enrollments.data, roster, users.data) : [];
  const assign = useMutation({
    mutationFn: () => staff.assign(programID, userID),
    onSuccess: () => {
      const u = options.find((o) => o.id === userID);
      setUserID("");
      void qc.invalidateQueries({ queryKey: ["roster", programID] });
      onAssigned(u?.display_name || u?.email || "the agent");
    },
  });
  const refused = refusalReasons(assign.error);
  const errs = formErrors(refused.length ? null : assign.error, ["user_id"]);
  const ref = useFocusOnError(assign.error);
  const loadError = enrollments.error ?? users.error;
  return (
    <form ref={ref} className="panel assign" noValidate onSubmit={(e) => { e.preventDefault(); assign.mutate(); }}>
      <h2>Assign an agent</h2>
      {loadError && <p role="alert" className="error">{loadError.message}</p>}
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <div className="assign-row">
        <Field
          label="Agent"
          hint="Agents enrolled in this program and not yet in its queue. Only agents who may take its contacts are accepted."
          error={errs.fields.user_id ?? (refused.length ? `Refused: ${refused.map(reasonText).join("; ")}.` : undefined)}
        >
          <select value={userID} onChange={(e) => { setUserID(e.target.value); assign.reset(); }}>
            <option value="">Choose an agent…</option>
            {options.map((u) => <option key={u.id} value={u.id}>{u.display_name ? `${u.display_name} (${u.email})` : u.email}</option>)}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={!userID || assign.isPending}>{assign.isPending ? "Assigning…" : "Assign to queue"}</button>
      </div>
    </form>
  );
}

function UnassignDialog({ programID, agent, onClose, onDone }: { programID: string; agent: RosterAgent; onClose: () => void; onDone: (name: string) => void }) {
  const qc = useQueryClient();
  const un = useMutation({
    mutationFn: () => staff.unassign(programID, agent.agent_id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["roster", programID] });
      onDone(agent.display_name || agent.email);
    },
  });
  return (
    <Dialog title="Take this agent out of the queue?" onClose={onClose}>
      <p><strong>{agent.display_name || agent.email}</strong> stops receiving this program's contacts at once. Their certification stays as it is.</p>
      {un.isError && <p role="alert" className="error">{un.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={un.isPending} onClick={() => un.mutate()}>Unassign</button>
      </div>
    </Dialog>
  );
}
