import { useQuery } from "@tanstack/react-query";
import { appointments, type CEStanding } from "../api/appointments";
import { formatDate, formatDateTime } from "../lib/format";
import { CSVButton } from "./Compliance";

/** "13 of 24 h" and each category's hours, for a license's CE standing. */
export function ceSummary(s: CEStanding): string {
  const cats = s.categories.map((c) => `${c.category.replace(/-/g, " ")} ${c.earned} of ${c.required} h`);
  return [`${s.earned_hours} of ${s.required_hours} h`, ...cats].join("; ");
}

/** The CE library as imported (requirements per state and license class, approved courses) and the licenses whose CE is behind. */
export function ContinuingEducation() {
  const lib = useQuery({ queryKey: ["ce-library"], queryFn: appointments.ceLibrary });
  const atRisk = useQuery({ queryKey: ["ce-at-risk"], queryFn: appointments.ceAtRisk, staleTime: 0 });
  return (
    <section>
      <h1>Continuing education</h1>
      {lib.error && <p role="alert" className="error">{lib.error.message}</p>}
      {lib.isPending && <p className="loading" role="status">Loading the CE library…</p>}
      {lib.data && (
        <>
          {lib.data.sample && (
            <div className="callout warn" role="note">
              <strong>Sample values, not legal requirements.</strong> {lib.data.notice || "Check every requirement against the state's rules before relying on it."}
            </div>
          )}
          <p className="hint">
            From <code>content/ce-requirements.yaml</code>, changed by editing that file and importing the content
            {lib.data.imported_at ? `; imported ${formatDateTime(lib.data.imported_at)}` : "; not imported yet"}.
          </p>
          <h2>Requirements per renewal period</h2>
          {lib.data.requirements.length === 0 ? <p>No requirement is configured.</p> : (
            <table className="list">
              <caption className="sr-only">CE requirements by state and license class</caption>
              <thead><tr><th scope="col">State</th><th scope="col">License class</th><th scope="col">Period</th><th scope="col">Hours</th><th scope="col">Of which</th></tr></thead>
              <tbody>
                {lib.data.requirements.map((r) => (
                  <tr key={`${r.state}:${r.class}`}>
                    <td>{r.state}</td>
                    <td>{r.class.replace(/-/g, " ")}</td>
                    <td>{r.period_months} months</td>
                    <td>{r.hours}{lib.data.sample && <span className="badge warn">sample</span>}</td>
                    <td>{Object.entries(r.categories).map(([c, h]) => `${h} h ${c.replace(/-/g, " ")}`).join(", ") || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Programs approved as CE courses</h2>
          {lib.data.courses.length === 0 ? <p>No program is approved as a course.</p> : (
            <table className="list">
              <caption className="sr-only">Approved CE courses</caption>
              <thead><tr><th scope="col">Program</th><th scope="col">States</th><th scope="col">Approval</th><th scope="col">Credit</th></tr></thead>
              <tbody>
                {lib.data.courses.map((c) => (
                  <tr key={c.program + c.approval}>
                    <td>{c.program_name || c.program}</td>
                    <td>{c.states.join(", ")}</td>
                    <td>{c.approval}</td>
                    <td>{c.hours} h{c.category ? ` ${c.category.replace(/-/g, " ")}` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <div className="page-head">
        <h2>Licenses at risk</h2>
        <CSVButton path="/reports/ce-at-risk" name="ce-at-risk.csv" label="Download CSV" />
      </div>
      <p className="hint">Verified licenses that expire within 90 days with this period's CE incomplete. Their holders are reminded 90, 60 and 30 days before.</p>
      {atRisk.error && <p role="alert" className="error">{atRisk.error.message}</p>}
      {atRisk.data?.length === 0 && <p>No license is at risk.</p>}
      {!!atRisk.data?.length && (
        <table className="list">
          <caption className="sr-only">Licenses whose CE is incomplete, soonest expiry first</caption>
          <thead><tr><th scope="col">Agent</th><th scope="col">License</th><th scope="col">Expires</th><th scope="col">CE this period</th></tr></thead>
          <tbody>
            {atRisk.data.map((s) => (
              <tr key={s.license.id}>
                <td>{s.display_name || s.email}{s.display_name && <><br /><span className="hint">{s.email}</span></>}</td>
                <td>{s.license.jurisdiction} {s.license.license_number}</td>
                <td>{formatDate(s.license.expiry_date)}<br /><span className="hint">{s.days_left} days</span></td>
                <td>{ceSummary(s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
