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
import { ApiError } from "../api/client";
import { assignable, blockersOnceAssigned, candidates, itemErrors, personLabel, reasonText, refusalReasons } from "./logic";

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
      {programID && mayAssign && <NotOnQueue programID={programID} clientID={programs.data?.find((p) => p.id === programID)?.client_id ?? ""} />}
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

const STATE_LABEL: Record<string, string> = {
  in_training: "In training", certified: "Certified", refresher_due: "Refresher due", expired: "Expired", revoked: "Revoked",
};

/**
 * The program's client's agents who are not on its queue, with their enrollment and what would stop them
 * taking contacts once assigned (the gate's answer without "not assigned"); select several to enroll (one
 * all-or-nothing request) or assign (one request each; a refusal says why in words).
 */
function NotOnQueue({ programID, clientID }: { programID: string; clientID: string }) {
  const qc = useQueryClient();
  const roster = useQuery({ queryKey: ["roster", programID], queryFn: () => staff.roster(programID), staleTime: 0 });
  const enrollments = useQuery({ queryKey: ["enrollments", programID], queryFn: () => staff.enrollments(programID) });
  const users = useQuery({ queryKey: ["staff-users", "agent"], queryFn: () => staff.users("agent") });
  const list = roster.data && enrollments.data && users.data ? candidates(users.data, enrollments.data, roster.data.agents, clientID) : [];
  const enrolledIDs = list.filter((c) => c.state !== null).map((c) => c.user.id);
  const answers = useQuery({
    queryKey: ["would-be-eligible", programID, enrolledIDs],
    queryFn: () => staff.eligibility(programID, enrolledIDs),
    enabled: enrolledIDs.length > 0,
    staleTime: 0,
  });
  const blockers = new Map<string, string[]>();
  answers.data?.forEach((r, i) => {
    if (r.answer) blockers.set(enrolledIDs[i], blockersOnceAssigned(r.answer.reasons).map(reasonText));
    else if (r.error) blockers.set(enrolledIDs[i], [r.error.message]);
  });
  const [picked, setPicked] = useState<string[]>([]);
  const [problems, setProblems] = useState<Map<string, string>>(new Map());
  const [notice, setNotice] = useState("");
  const byID = new Map(list.map((c) => [c.user.id, c]));
  const toEnroll = picked.filter((id) => byID.get(id)?.state === null);
  const toAssign = picked.filter((id) => byID.get(id) && byID.get(id)!.state !== null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["roster", programID] });
    void qc.invalidateQueries({ queryKey: ["enrollments", programID] });
    void qc.invalidateQueries({ queryKey: ["would-be-eligible", programID] });
  };
  const enroll = useMutation({
    mutationFn: () => staff.enrollMany(programID, toEnroll),
    onSuccess: (done) => {
      setProblems(new Map());
      setPicked(picked.filter((id) => !toEnroll.includes(id)));
      setNotice(`Enrolled ${done.length === 1 ? "1 agent" : `${done.length} agents`}; assign them once they may take contacts.`);
      refresh();
    },
    onError: (err) => { setNotice(""); setProblems(err instanceof ApiError ? itemErrors(err.fields, toEnroll) : new Map()); },
  });
  const assign = useMutation({
    mutationFn: async () => {
      const refused = new Map<string, string>();
      let ok = 0;
      for (const id of toAssign) {
        try {
          await staff.assign(programID, id);
          ok++;
        } catch (err) {
          const rs = refusalReasons(err);
          refused.set(id, rs.length ? `Refused: ${rs.map(reasonText).join("; ")}.` : (err as Error).message);
        }
      }
      return { ok, refused };
    },
    onSuccess: ({ ok, refused }) => {
      setProblems(refused);
      setPicked(picked.filter((id) => refused.has(id)));
      const refusedText = `${refused.size} refused (said at each)`;
      setNotice(ok === 0 ? `Nobody was assigned: ${refusedText}.` : `Assigned ${ok === 1 ? "1 agent" : `${ok} agents`} to the queue${refused.size ? `; ${refusedText}` : ""}.`);
      refresh();
    },
  });
  const error = roster.error ?? enrollments.error ?? users.error;
  const busy = enroll.isPending || assign.isPending;
  return (
    <section className="panel" aria-labelledby="not-on-queue-h">
      <h2 id="not-on-queue-h">Not on this queue</h2>
      <p className="hint">The client's agents who are not assigned: enroll those not enrolled yet; assign those who may take its contacts.</p>
      {error && <p role="alert" className="error">{error.message}</p>}
      {enroll.isError && problems.size === 0 && <p role="alert" className="error">{enroll.error.message}</p>}
      {enroll.isError && problems.size > 0 && <p role="alert" className="error">Nobody was enrolled: the refused agents are marked below.</p>}
      <p role="status" className="notice-line">{notice}</p>
      {roster.data && enrollments.data && users.data && list.length === 0 && <p>Every active agent of the client is on this queue.</p>}
      {list.length > 0 && (
        <form noValidate onSubmit={(e) => e.preventDefault()}>
          <fieldset className="checks one-col">
            <legend className="sr-only">Agents not on this queue</legend>
            {list.map((c) => {
              const why = blockers.get(c.user.id);
              const problem = problems.get(c.user.id);
              return (
                <div key={c.user.id} className="candidate">
                  <label className="check">
                    <input type="checkbox" checked={picked.includes(c.user.id)} disabled={busy}
                      aria-invalid={problem ? true : undefined} aria-describedby={`cand-${c.user.id}`}
                      onChange={(e) => setPicked(e.target.checked ? [...picked, c.user.id] : picked.filter((x) => x !== c.user.id))} />
                    <span>{personLabel(c.user)}</span>
                  </label>
                  <p id={`cand-${c.user.id}`} className="hint candidate-why">
                    {c.state === null ? "Not enrolled" : STATE_LABEL[c.state] ?? c.state}
                    {c.state !== null && (why === undefined ? "" : why.length === 0 ? " · would take contacts once assigned" : ` · once assigned, still not: ${why.join("; ")}`)}
                    {problem && <span className="field-error"> {problem}</span>}
                  </p>
                </div>
              );
            })}
          </fieldset>
          <div className="form-actions wrap">
            <button type="button" disabled={!toEnroll.length || busy} onClick={() => { setNotice(""); enroll.mutate(); }}>
              {enroll.isPending ? "Enrolling…" : `Enroll ${toEnroll.length || ""} in the program`.replace("  ", " ")}
            </button>
            <button type="button" className="primary" disabled={!toAssign.length || busy} onClick={() => { setNotice(""); assign.mutate(); }}>
              {assign.isPending ? "Assigning…" : `Assign ${toAssign.length || ""} to the queue`.replace("  ", " ")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
