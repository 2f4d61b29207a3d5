import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../api/client";
import { certificates } from "../api/certificates";
import { useSession } from "../auth/session";
import { usePrograms } from "../training/hooks";
import { staff, type Enrollment, type StaffUser } from "../api/staff";
import { Dialog } from "../components/Dialog";
import { Field } from "../components/Field";
import { formatDate } from "../lib/format";
import { ApiError } from "../api/client";
import { enrollable, itemErrors, personLabel } from "./logic";
import { CertificationOversight } from "./Oversight";

const STATE: Record<string, { label: string; badge: string }> = {
  in_training: { label: "In training", badge: "off" },
  certified: { label: "Certified", badge: "ok" },
  refresher_due: { label: "Refresher due", badge: "warn" },
  expired: { label: "Expired", badge: "bad" },
  revoked: { label: "Revoked", badge: "bad" },
};

/**
 * A program's enrollments for its staff: who is enrolled and their
 * certification state; enroll one or many of the client's agents; withdraw
 * an agent still in training.
 */
export function Enrollments({ programID, clientID, programName }: { programID: string; clientID: string; programName: string }) {
  const { me } = useSession();
  const enrollments = useQuery({ queryKey: ["enrollments", programID], queryFn: () => staff.enrollments(programID) });
  const users = useQuery({ queryKey: ["staff-users", "agent"], queryFn: () => staff.users("agent") });
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState<Enrollment | null>(null);
  const [notice, setNotice] = useState("");
  const byID = new Map((users.data ?? []).map((u) => [u.id, u]));
  const mayManage = me?.role === "trainer" || me?.role === "supervisor" || me?.role === "admin";
  const error = enrollments.error ?? users.error;
  const name = (id: string) => {
    const u = byID.get(id);
    return u ? personLabel(u) : "an agent outside your clients";
  };
  return (
    <section>
      <h2>Enrolled agents</h2>
      {error && <p role="alert" className="error">{error.message}</p>}
      <p role="status" className="notice-line">{notice}</p>
      {mayManage && <p><button type="button" className="primary" onClick={() => { setNotice(""); setAdding(true); }}>Enroll agents…</button></p>}
      {enrollments.isPending && <p className="loading" role="status">Loading the enrollments…</p>}
      {enrollments.data?.length === 0 && <p>Nobody is enrolled in this program yet.</p>}
      {!!enrollments.data?.length && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Enrolled agents">
          <table className="list">
            <caption className="sr-only">Agents enrolled in {programName}, with their certification state</caption>
            <thead>
              <tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Enrolled</th><th scope="col">Certified until</th>{mayManage && <th scope="col"><span className="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {enrollments.data.map((e) => (
                <tr key={e.id}>
                  <td>{byID.has(e.user_id) ? <Link to={`/admin/users/${e.user_id}`}>{name(e.user_id)}</Link> : name(e.user_id)}</td>
                  <td><span className={`badge ${STATE[e.state]?.badge ?? "off"}`}>{STATE[e.state]?.label ?? e.state}</span></td>
                  <td>{formatDate(e.enrolled_at)}</td>
                  <td>{e.expires_at ? formatDate(e.expires_at) : "—"}</td>
                  {mayManage && (
                    <td>
                      {e.state === "in_training" && (
                        <button type="button" onClick={() => { setNotice(""); setLeaving(e); }} aria-label={`Withdraw ${name(e.user_id)}`}>Withdraw</button>
                      )}
                      {e.certified_at && (
                        <button type="button" className="small" aria-label={`Certificate PDF of ${name(e.user_id)}`}
                          onClick={() => { setNotice(""); void newestCertificatePDF(e).then(setNotice); }}>Certificate PDF</button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {adding && users.data && enrollments.data && (
        <EnrollDialog
          programID={programID}
          programName={programName}
          options={enrollable(users.data, enrollments.data, clientID)}
          onClose={() => setAdding(false)}
          onDone={(n) => { setAdding(false); setNotice(`Enrolled ${n === 1 ? "1 agent" : `${n} agents`} in ${programName}.`); }}
        />
      )}
      {leaving && (
        <WithdrawDialog
          programID={programID}
          who={name(leaving.user_id)}
          enrollment={leaving}
          onClose={() => setLeaving(null)}
          onDone={() => { setNotice(`Withdrew ${name(leaving.user_id)} from ${programName}.`); setLeaving(null); }}
        />
      )}
    </section>
  );
}

/** Downloads the newest certificate of an enrollment's certification: what to tell the person. */
async function newestCertificatePDF(e: Enrollment): Promise<string> {
  try {
    const newest = (await certificates.forUser(e.user_id)).find((c) => c.certification_id === e.id);
    if (!newest) return "No certificate was issued for this certification.";
    return `Saved ${await certificates.downloadPDF(newest)}.`;
  } catch (err) {
    return `The download failed: ${(err as Error).message}`;
  }
}

function EnrollDialog({ programID, programName, options, onClose, onDone }: {
  programID: string; programName: string; options: StaffUser[]; onClose: () => void; onDone: (n: number) => void;
}) {
  const qc = useQueryClient();
  const [picked, setPicked] = useState<string[]>([]);
  const [filter, setFilter] = useState("");
  const [refused, setRefused] = useState<Map<string, string>>(new Map());
  const shown = options.filter((u) => `${u.display_name} ${u.email}`.toLowerCase().includes(filter.trim().toLowerCase()));
  const enroll = useMutation({
    // One request, all or none: a refusal names each agent it refused and enrolls nobody.
    mutationFn: () => staff.enrollMany(programID, picked),
    onSuccess: (done) => {
      void qc.invalidateQueries({ queryKey: ["enrollments", programID] });
      void qc.invalidateQueries({ queryKey: ["attention"] });
      onDone(done.length);
    },
    onError: (err) => setRefused(err instanceof ApiError ? itemErrors(err.fields, picked) : new Map()),
  });
  const failures = [...refused.entries()].map(([id, msg]) => {
    const u = options.find((o) => o.id === id);
    return `${u ? personLabel(u) : id}: ${msg}`;
  });
  return (
    <Dialog title={`Enroll agents in ${programName}`} onClose={onClose}>
      <form noValidate onSubmit={(e) => { e.preventDefault(); if (picked.length) enroll.mutate(); }}>
        {enroll.isError && (
          <div role="alert" className="error">
            <p>{failures.length ? "Nobody was enrolled: uncheck these agents, or fix what is said, and try again." : enroll.error.message}</p>
            {failures.length > 0 && <ul>{failures.map((f) => <li key={f}>{f}</li>)}</ul>}
          </div>
        )}
        {options.length === 0 ? (
          <p>Every active agent of this program's client is enrolled already.</p>
        ) : (
          <>
            {options.length > 8 && (
              <Field label="Find an agent" hint="By name or email.">
                <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </Field>
            )}
            <fieldset className="checks one-col">
              <legend>Agents of the program's client, not enrolled yet</legend>
              {shown.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={picked.includes(u.id)}
                    aria-invalid={refused.has(u.id) || undefined}
                    aria-describedby={refused.has(u.id) ? `refused-${u.id}` : undefined}
                    onChange={(e) => setPicked(e.target.checked ? [...picked, u.id] : picked.filter((x) => x !== u.id))}
                  />
                  <span>{personLabel(u)}{refused.has(u.id) && <span id={`refused-${u.id}`} className="field-error"> {refused.get(u.id)}</span>}</span>
                </label>
              ))}
              {shown.length === 0 && <p className="hint">No agent matches.</p>}
            </fieldset>
          </>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!picked.length || enroll.isPending}>
            {enroll.isPending ? "Enrolling…" : `Enroll ${picked.length || ""} ${picked.length === 1 ? "agent" : "agents"}`.replace("  ", " ")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function WithdrawDialog({ programID, who, enrollment, onClose, onDone }: {
  programID: string; who: string; enrollment: Enrollment; onClose: () => void; onDone: () => void;
}) {
  const qc = useQueryClient();
  const withdraw = useMutation({
    mutationFn: () => staff.withdraw(programID, enrollment.user_id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["enrollments", programID] });
      void qc.invalidateQueries({ queryKey: ["user-certifications", enrollment.user_id] });
      onDone();
    },
  });
  return (
    <Dialog title="Withdraw this agent?" onClose={onClose}>
      <p><strong>{who}</strong> leaves this program's training: its modules, quizzes and role-plays are no longer theirs to take. What they already did stays on record and counts again if they are enrolled later.</p>
      {withdraw.isError && <p role="alert" className="error">{withdraw.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={withdraw.isPending} onClick={() => withdraw.mutate()}>Withdraw</button>
      </div>
    </Dialog>
  );
}

interface UserCertification extends Enrollment {
  program_name: string;
  client_id: string;
}

/**
 * An agent's programs on their user page: each enrollment with its
 * certification state; staff who manage enrollments enroll the agent in any
 * of their clients' programs they are not in yet, several at once.
 */
export function UserEnrollments({ user }: { user: { id: string; email: string; display_name: string; client_ids: string[]; active: boolean } }) {
  const qc = useQueryClient();
  const { me } = useSession();
  const mayManage = me?.role === "trainer" || me?.role === "supervisor" || me?.role === "admin";
  const certs = useQuery({
    queryKey: ["user-certifications", user.id],
    queryFn: () => api<{ certifications: UserCertification[] }>(`/users/${user.id}/certifications`).then((r) => r.certifications),
  });
  const programs = usePrograms(mayManage);
  const [picked, setPicked] = useState<string[]>([]);
  const [result, setResult] = useState<{ ok: number; failed: string[] } | null>(null);
  const [leaving, setLeaving] = useState<UserCertification | null>(null);
  const [withdrew, setWithdrew] = useState("");
  const who = user.display_name ? `${user.display_name} <${user.email}>` : user.email;
  const enrolled = new Set((certs.data ?? []).map((c) => c.program_id));
  const open = (programs.data ?? []).filter((p) => user.client_ids.includes(p.client_id) && !enrolled.has(p.id));
  const enroll = useMutation({
    mutationFn: async () => {
      const failed: string[] = [];
      let ok = 0;
      for (const id of picked) {
        try {
          await staff.enroll(id, user.id);
          ok++;
        } catch (err) {
          failed.push(`${open.find((p) => p.id === id)?.name ?? id}: ${(err as Error).message}`);
        }
      }
      return { ok, failed };
    },
    onSuccess: (r) => {
      setResult(r);
      setPicked([]);
      void qc.invalidateQueries({ queryKey: ["user-certifications", user.id] });
      for (const id of picked) void qc.invalidateQueries({ queryKey: ["enrollments", id] });
    },
  });
  const error = certs.error ?? programs.error;
  return (
    <section className="panel">
      <h2>Programs</h2>
      {error && <p role="alert" className="error">{error.message}</p>}
      {certs.isPending && <p className="loading" role="status">Loading the programs…</p>}
      {certs.data?.length === 0 && <p>Not enrolled in any program.</p>}
      {!!certs.data?.length && (
        <ul className="plain">
          {certs.data.map((c) => (
            <li key={c.id}>
              <div className="member-line">
                <span>
                  {c.program_name} <span className={`badge ${STATE[c.state]?.badge ?? "off"}`}>{STATE[c.state]?.label ?? c.state}</span>
                  <br /><span className="hint">Enrolled {formatDate(c.enrolled_at)}{c.expires_at ? `, certified until ${formatDate(c.expires_at)}` : ""}{c.state === "revoked" && c.revoked_reason ? ` · revoked: ${c.revoked_reason}` : ""}</span>
                </span>
                {mayManage && c.state === "in_training" && (
                  <button type="button" onClick={() => { setWithdrew(""); setResult(null); setLeaving(c); }} aria-label={`Withdraw from ${c.program_name}`}>Withdraw</button>
                )}
              </div>
              <CertificationOversight cert={c} who={who} />
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="notice-line">{withdrew}</p>
      {leaving && (
        <WithdrawDialog
          programID={leaving.program_id}
          who={who}
          enrollment={leaving}
          onClose={() => setLeaving(null)}
          onDone={() => { setWithdrew(`Withdrew ${who} from ${leaving.program_name}.`); setLeaving(null); }}
        />
      )}
      {mayManage && user.active && programs.data && certs.data && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); setResult(null); setWithdrew(""); if (picked.length) enroll.mutate(); }}>
          {open.length === 0 ? (
            <p className="hint">No program of this agent's clients is left to enroll them in.</p>
          ) : (
            <fieldset className="checks one-col">
              <legend>Enroll in (programs of the agent's clients)</legend>
              {open.map((p) => (
                <label key={p.id} className="check">
                  <input type="checkbox" checked={picked.includes(p.id)} onChange={(e) => setPicked(e.target.checked ? [...picked, p.id] : picked.filter((x) => x !== p.id))} />
                  <span>{p.name}</span>
                </label>
              ))}
            </fieldset>
          )}
          {result && result.failed.length > 0 && (
            <div role="alert" className="error"><p>Not enrolled:</p><ul>{result.failed.map((f) => <li key={f}>{f}</li>)}</ul></div>
          )}
          <div className="form-actions">
            {open.length > 0 && <button type="submit" disabled={!picked.length || enroll.isPending}>{enroll.isPending ? "Enrolling…" : "Enroll"}</button>}
            <span role="status">{result && result.ok > 0 ? `Enrolled in ${result.ok === 1 ? "1 program" : `${result.ok} programs`}.` : ""}</span>
          </div>
        </form>
      )}
    </section>
  );
}
