import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { APPOINTMENT_STATUS, appointments, type CEStanding } from "../api/appointments";
import { learning, type License, type LicenseStatus, type LicenseSubmission } from "../api/learning";
import { useSession } from "../auth/session";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime } from "../lib/format";
import { keys } from "./hooks";

/** A license status as people read it, with its badge. */
export const LICENSE_STATUS: Record<LicenseStatus, { label: string; cls: string }> = {
  pending: { label: "Pending verification", cls: "warn" },
  verified: { label: "Verified", cls: "ok" },
  rejected: { label: "Rejected", cls: "bad" },
  expired: { label: "Expired", cls: "off" },
  revoked: { label: "Revoked", cls: "bad" },
};

/** The agent's licenses, their verification state and history, and a form to submit one. */
export function MyLicenses() {
  const licenses = useQuery({ queryKey: keys.licenses, queryFn: learning.licenses });
  const ce = useQuery({ queryKey: ["ce-standing"], queryFn: () => appointments.ceStanding() });
  const standing = (id: string) => ce.data?.standings.find((s) => s.license.id === id);
  const [history, setHistory] = useState<License | null>(null);
  const [notice, setNotice] = useState("");
  return (
    <section>
      <h1>My licenses</h1>
      <p className="hint">Some programs need a state license. Submit yours here; compliance verifies it before it counts.</p>
      <p role="status" className="notice-line">{notice}</p>
      {licenses.isError && <p role="alert" className="error">{licenses.error.message}</p>}
      {licenses.isPending && <p className="loading" role="status">Loading your licenses…</p>}
      {licenses.data?.length === 0 && <p>You have not submitted a license.</p>}
      {!!licenses.data?.length && (
        <table className="list">
          <caption className="sr-only">Your licenses</caption>
          <thead>
            <tr><th scope="col">State</th><th scope="col">Class and lines</th><th scope="col">Number</th><th scope="col">Valid</th><th scope="col">Status</th><th scope="col">Continuing education</th><th scope="col"><span className="sr-only">History</span></th></tr>
          </thead>
          <tbody>
            {licenses.data.map((l) => (
              <tr key={l.id}>
                <td>{l.jurisdiction}{l.resident ? " (resident)" : ""}</td>
                <td>{l.class}<br /><span className="hint">{l.lines_of_authority.join(", ")}</span></td>
                <td>{l.license_number}<br /><span className="hint">NPN {l.npn}</span></td>
                <td>{formatDate(l.effective_date)} – {formatDate(l.expiry_date)}</td>
                <td><span className={`badge ${LICENSE_STATUS[l.status].cls}`}>{LICENSE_STATUS[l.status].label}</span>{l.status_note && <><br /><span className="hint">{l.status_note}</span></>}</td>
                <td><CEStandingCell s={standing(l.id)} /></td>
                <td><button type="button" className="small" onClick={() => setHistory(l)} aria-label={`History of ${l.jurisdiction} license ${l.license_number}`}>History</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ce.data?.standings.some((s) => s.sample) && (
        <p className="hint">CE requirements marked “sample” are example values, not your state's rule: check them with compliance.</p>
      )}
      <MyAppointments />
      <SubmitLicenseForm onDone={(l) => setNotice(`Submitted your ${l.jurisdiction} license ${l.license_number}; it is pending verification.`)} />
      {history && <HistoryDrawer license={history} onClose={() => setHistory(null)} />}
    </section>
  );
}

const FIELDS = ["npn", "jurisdiction", "license_number", "class", "lines_of_authority", "resident", "issue_date", "effective_date", "expiry_date", "evidence", "ce_hours"] as const;
type Form = Record<(typeof FIELDS)[number], string>;
const EMPTY: Form = { npn: "", jurisdiction: "", license_number: "", class: "insurance-producer", lines_of_authority: "", resident: "yes", issue_date: "", effective_date: "", expiry_date: "", evidence: "", ce_hours: "" };

function SubmitLicenseForm({ onDone }: { onDone: (l: License) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<Form>(EMPTY);
  const set = (k: keyof Form) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = useMutation({
    mutationFn: () => {
      const body: LicenseSubmission = {
        npn: f.npn.trim(), jurisdiction: f.jurisdiction.trim().toUpperCase(), license_number: f.license_number.trim(), class: f.class.trim(),
        lines_of_authority: f.lines_of_authority.split(/[,;]/).map((x) => x.trim()).filter(Boolean), resident: f.resident === "yes",
        issue_date: f.issue_date, effective_date: f.effective_date, expiry_date: f.expiry_date, evidence: f.evidence.trim(),
        ...(f.ce_hours.trim() ? { ce_hours: Number(f.ce_hours) } : {}),
      };
      return learning.submitLicense(body);
    },
    onSuccess: (l) => {
      void qc.invalidateQueries({ queryKey: keys.licenses });
      setF(EMPTY);
      onDone(l);
    },
  });
  const errs = formErrors(submit.error, FIELDS);
  const ref = useFocusOnError(submit.error);
  return (
    <form ref={ref} className="panel license-form" noValidate onSubmit={(e) => { e.preventDefault(); submit.mutate(); }}>
      <h2>Submit a license</h2>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <div className="grid3">
        <Field label="State" hint="Two letters, e.g. TX." error={errs.fields.jurisdiction}><input value={f.jurisdiction} maxLength={2} onChange={set("jurisdiction")} /></Field>
        <Field label="License number" error={errs.fields.license_number}><input value={f.license_number} onChange={set("license_number")} /></Field>
        <Field label="NPN" hint="National Producer Number, digits only." error={errs.fields.npn}><input value={f.npn} inputMode="numeric" onChange={set("npn")} /></Field>
        <Field label="License class" error={errs.fields.class}><input value={f.class} onChange={set("class")} /></Field>
        <Field label="Lines of authority" hint="Separated by commas, e.g. life, accident-and-health." error={errs.fields.lines_of_authority}><input value={f.lines_of_authority} onChange={set("lines_of_authority")} /></Field>
        <Field label="Resident license" error={errs.fields.resident}>
          <select value={f.resident} onChange={set("resident")}><option value="yes">Yes, my home state</option><option value="no">No, non-resident</option></select>
        </Field>
        <Field label="Issue date" error={errs.fields.issue_date}><input type="date" value={f.issue_date} onChange={set("issue_date")} /></Field>
        <Field label="Effective date" error={errs.fields.effective_date}><input type="date" value={f.effective_date} onChange={set("effective_date")} /></Field>
        <Field label="Expiry date" hint="The first day it no longer holds." error={errs.fields.expiry_date}><input type="date" value={f.expiry_date} onChange={set("expiry_date")} /></Field>
        <Field label="Evidence" hint="Where compliance can check it (optional)." error={errs.fields.evidence}><input value={f.evidence} onChange={set("evidence")} /></Field>
        <Field label="CE hours" hint="Optional." error={errs.fields.ce_hours}><input value={f.ce_hours} inputMode="decimal" onChange={set("ce_hours")} /></Field>
      </div>
      <div className="form-actions">
        <button type="submit" disabled={submit.isPending}>{submit.isPending ? "Submitting…" : "Submit for verification"}</button>
      </div>
    </form>
  );
}

function HistoryDrawer({ license, onClose }: { license: License; onClose: () => void }) {
  const events = useQuery({ queryKey: ["license-history", license.id], queryFn: () => learning.licenseHistory(license.id) });
  return (
    <Dialog title={`${license.jurisdiction} license ${license.license_number}`} onClose={onClose} variant="drawer">
      {events.isPending && <p role="status">Loading…</p>}
      {events.isError && <p role="alert" className="error">{events.error.message}</p>}
      <ol className="history">
        {events.data?.map((e) => (
          <li key={e.id}>
            <strong>{e.action}</strong> → {LICENSE_STATUS[e.to_status].label} <span className="hint">{formatDateTime(e.at)}</span>
            {e.note && <p>{e.note}</p>}
            {e.changed?.length > 0 && <p className="hint">Changed: {e.changed.join(", ")}</p>}
          </li>
        ))}
      </ol>
    </Dialog>
  );
}

/** A license's CE this renewal period against its requirement, by category. */
/** A license's CE this period against its requirement, by category (the agent's page and compliance's view of an agent). */
export function CEStandingCell({ s }: { s?: CEStanding }) {
  if (!s) return <span className="hint">—</span>;
  if (!s.requirement) return <span className="hint">No requirement on file</span>;
  return (
    <>
      <span className={`badge ${s.complete ? "ok" : s.days_left <= 90 ? "bad" : "warn"}`}>{s.complete ? "Complete" : "Incomplete"}</span>
      {s.sample && <span className="badge off">sample</span>}
      <br />
      <span>{s.earned_hours} of {s.required_hours} hours</span>
      {s.categories.map((c) => (
        <span key={c.category} className="hint"><br />{c.category.replace(/-/g, " ")}: {c.earned} of {c.required} hours</span>
      ))}
      {s.period_start && <span className="hint"><br />Period {formatDate(s.period_start)} – {formatDate(s.period_end)}</span>}
    </>
  );
}

/** The carriers' appointments of the agent: where they may sell whose products. */
function MyAppointments() {
  const { me } = useSession();
  const list = useQuery({ queryKey: ["my-appointments", me?.id], queryFn: () => appointments.list({ user_id: me?.id }), enabled: !!me });
  return (
    <section aria-labelledby="my-appointments">
      <h2 id="my-appointments">My appointments</h2>
      <p className="hint">An insurer must appoint you in a state before you sell its products there; compliance records appointments.</p>
      {list.isError && <p role="alert" className="error">{list.error.message}</p>}
      {list.data?.length === 0 && <p>No appointment is on record for you.</p>}
      {!!list.data?.length && (
        <table className="list">
          <caption className="sr-only">Your appointments</caption>
          <thead>
            <tr><th scope="col">Carrier</th><th scope="col">State</th><th scope="col">Lines</th><th scope="col">Status</th><th scope="col">Dates</th></tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id}>
                <td>{a.client_name}</td>
                <td>{a.jurisdiction}</td>
                <td>{a.lines_of_authority.join(", ")}</td>
                <td><span className={`badge ${APPOINTMENT_STATUS[a.status].cls}`}>{APPOINTMENT_STATUS[a.status].label}</span></td>
                <td>
                  {a.effective_date ? `From ${formatDate(a.effective_date)}` : "Not yet in force"}
                  {a.termination_date && <><br />{`Until ${formatDate(a.termination_date)}`}</>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
