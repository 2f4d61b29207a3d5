import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { NavLink, useSearchParams } from "react-router-dom";
import { downloadFile } from "../api/client";
import { staff, type LicenseGap, type ReportLicense } from "../api/staff";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime } from "../lib/format";

/** A button that downloads a CSV report (or another file the API answers, by accept) with the session's token. */
export function CSVButton({ path, name, label, accept = "text/csv" }: { path: string; name: string; label: string; accept?: string }) {
  const [state, setState] = useState<{ busy: boolean; msg: string; error: boolean }>({ busy: false, msg: "", error: false });
  return (
    <span className="csv">
      <button
        type="button"
        disabled={state.busy}
        onClick={async () => {
          setState({ busy: true, msg: "", error: false });
          try {
            const file = await downloadFile(path, name, accept);
            setState({ busy: false, msg: `Downloaded ${file}.`, error: false });
          } catch (e) {
            setState({ busy: false, msg: `The download failed: ${(e as Error).message}`, error: true });
          }
        }}
      >
        {state.busy ? "Preparing…" : label}
      </button>
      <span role="status" className={state.error ? "field-error" : "hint"}>{state.msg}</span>
    </span>
  );
}

const TABS = [
  { tab: "queue", label: "Verification queue" },
  { tab: "expiring", label: "Expiring" },
  { tab: "gaps", label: "Gaps" },
] as const;

/** Compliance's license work: verify or reject submissions, watch expiries, find certified agents without licenses. */
export function ComplianceLicenses() {
  const [params] = useSearchParams();
  const tab = params.get("tab") ?? "queue";
  return (
    <section>
      <h1>Licenses</h1>
      <nav aria-label="License reports" className="tabs">
        {TABS.map((t) => (
          <NavLink key={t.tab} to={`/compliance/licenses?tab=${t.tab}`} aria-current={tab === t.tab ? "page" : undefined} className={tab === t.tab ? "active" : undefined} end>
            {t.label}
          </NavLink>
        ))}
      </nav>
      {tab === "queue" && <Queue />}
      {tab === "expiring" && <Expiring />}
      {tab === "gaps" && <Gaps />}
    </section>
  );
}

function LicenseCells({ l }: { l: ReportLicense }) {
  return (
    <>
      <td>{l.display_name || l.email}{l.display_name && <><br /><span className="hint">{l.email}</span></>}</td>
      <td>{l.jurisdiction}{l.resident ? " (resident)" : ""}</td>
      <td>{l.class}<br /><span className="hint">{l.lines_of_authority.join(", ")}</span></td>
      <td>{l.license_number}<br /><span className="hint">NPN {l.npn}</span></td>
      <td>{formatDate(l.effective_date)} – {formatDate(l.expiry_date)}</td>
    </>
  );
}

function Queue() {
  const queue = useQuery({ queryKey: ["license-queue"], queryFn: staff.licenseQueue, staleTime: 0 });
  const [acting, setActing] = useState<{ license: ReportLicense; action: "verify" | "reject" } | null>(null);
  const [notice, setNotice] = useState("");
  return (
    <>
      <div className="page-head">
        <h2>Waiting for verification</h2>
        <CSVButton path="/reports/license-queue" name="license-queue.csv" label="Download CSV" />
      </div>
      <p className="hint">Check each license against the state's record (e.g. NIPR), then verify it or reject it with a note. Oldest first.</p>
      <p role="status" className="notice-line">{notice}</p>
      {queue.error && <p role="alert" className="error">{queue.error.message}</p>}
      {queue.isPending && <p className="loading" role="status">Loading the queue…</p>}
      {queue.data?.length === 0 && <p>No license is waiting.</p>}
      {!!queue.data?.length && (
        <table className="list">
          <caption className="sr-only">Pending licenses</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Class and lines</th><th scope="col">Number</th><th scope="col">Valid</th><th scope="col">Evidence</th><th scope="col">Submitted</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {queue.data.map((l) => (
              <tr key={l.id}>
                <LicenseCells l={l} />
                <td>{l.evidence || "—"}</td>
                <td>{formatDateTime(l.submitted_at)}</td>
                <td className="row-actions">
                  <button type="button" className="small primary" onClick={() => setActing({ license: l, action: "verify" })} aria-label={`Verify ${l.display_name || l.email}'s ${l.jurisdiction} license ${l.license_number}`}>Verify</button>
                  <button type="button" className="small danger" onClick={() => setActing({ license: l, action: "reject" })} aria-label={`Reject ${l.display_name || l.email}'s ${l.jurisdiction} license ${l.license_number}`}>Reject</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {acting && (
        <DecideDialog
          {...acting}
          onClose={() => setActing(null)}
          onDone={(msg) => { setActing(null); setNotice(msg); }}
        />
      )}
    </>
  );
}

function DecideDialog({ license, action, onClose, onDone }: { license: ReportLicense; action: "verify" | "reject"; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const [note, setNote] = useState("");
  const decide = useMutation({
    mutationFn: () => (action === "verify" ? staff.verify(license.id, note.trim()) : staff.reject(license.id, note.trim())),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["license-queue"] });
      onDone(`${action === "verify" ? "Verified" : "Rejected"} ${license.display_name || license.email}'s ${license.jurisdiction} license ${license.license_number}.`);
    },
  });
  const errs = formErrors(decide.error, ["note"]);
  const ref = useFocusOnError(decide.error);
  return (
    <Dialog title={action === "verify" ? "Verify this license" : "Reject this license"} onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); decide.mutate(); }}>
        <dl className="facts">
          <dt>Agent</dt><dd>{license.display_name ? `${license.display_name} (${license.email})` : license.email}</dd>
          <dt>License</dt><dd>{license.jurisdiction} {license.class} {license.license_number} (NPN {license.npn})</dd>
          <dt>Lines</dt><dd>{license.lines_of_authority.join(", ")}</dd>
          <dt>Valid</dt><dd>{formatDate(license.effective_date)} – {formatDate(license.expiry_date)}</dd>
        </dl>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field
          label={action === "verify" ? "Note (optional)" : "Why is it rejected?"}
          hint={action === "verify" ? "E.g. where you checked it." : "The agent sees this note."}
          error={errs.fields.note}
        >
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} autoFocus />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className={action === "verify" ? "primary" : "danger"} disabled={decide.isPending}>
            {action === "verify" ? "Verify license" : "Reject license"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Expiring() {
  const [days, setDays] = useState<30 | 60 | 90>(30);
  const list = useQuery({ queryKey: ["licenses-expiring", days], queryFn: () => staff.expiring(days), staleTime: 0 });
  return (
    <>
      <div className="page-head">
        <h2>Verified licenses expiring soon</h2>
        <CSVButton path={`/reports/licenses-expiring?days=${days}`} name={`licenses-expiring-${days}.csv`} label="Download CSV" />
      </div>
      <fieldset className="segmented">
        <legend>Expiring within</legend>
        {([30, 60, 90] as const).map((d) => (
          <label key={d} className="check">
            <input type="radio" name="days" checked={days === d} onChange={() => setDays(d)} /> {d} days
          </label>
        ))}
      </fieldset>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {list.isPending && <p className="loading" role="status">Loading…</p>}
      {list.data?.length === 0 && <p>No verified license expires within {days} days.</p>}
      {!!list.data?.length && (
        <table className="list">
          <caption className="sr-only">Licenses expiring within {days} days, soonest first</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Class and lines</th><th scope="col">Number</th><th scope="col">Valid</th><th scope="col">Days left</th></tr>
          </thead>
          <tbody>
            {list.data.map((l) => (
              <tr key={l.id}>
                <LicenseCells l={l} />
                <td><span className={`badge ${l.days_left <= 30 ? "bad" : l.days_left <= 60 ? "warn" : "off"}`}>{l.days_left} days</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const GAP_REASON: Record<LicenseGap["reason"], string> = {
  missing: "No license submitted",
  unverified: "Submitted, not verified yet",
  not_effective: "Not effective yet",
  expired: "Expired",
  rejected: "Rejected",
  revoked: "Revoked",
  lines_missing: "Lines of authority missing",
};

function Gaps() {
  const gaps = useQuery({ queryKey: ["license-gaps"], queryFn: staff.gaps, staleTime: 0 });
  return (
    <>
      <div className="page-head">
        <h2>Certified but not licensed</h2>
        <CSVButton path="/reports/license-gaps" name="license-gaps.csv" label="Download CSV" />
      </div>
      <p className="hint">Agents certified for a program whose license requirements their verified licenses do not cover. They are not routed for those states.</p>
      {gaps.error && <p role="alert" className="error">{gaps.error.message}</p>}
      {gaps.isPending && <p className="loading" role="status">Loading…</p>}
      {gaps.data?.length === 0 && <p>No gaps: every certified agent holds the licenses their programs need.</p>}
      {!!gaps.data?.length && (
        <table className="list">
          <caption className="sr-only">License gaps</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Program</th><th scope="col">Certification</th><th scope="col">License class</th><th scope="col">States</th><th scope="col">Problem</th></tr>
          </thead>
          <tbody>
            {gaps.data.map((g, i) => (
              <tr key={`${g.user_id}:${g.program_id}:${g.class}:${g.reason}:${i}`}>
                <td>{g.display_name || g.email}{g.display_name && <><br /><span className="hint">{g.email}</span></>}</td>
                <td>{g.program}</td>
                <td>{g.certification_state === "certified" ? "Certified" : "Refresher due"}</td>
                <td>{g.class}</td>
                <td>{g.states.join(", ")}</td>
                <td>{GAP_REASON[g.reason]}{g.missing_lines.length > 0 && <><br /><span className="hint">Missing: {g.missing_lines.join(", ")}</span></>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
