import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { NavLink, useSearchParams } from "react-router-dom";
import { APPOINTMENT_STATUS, appointments, type Appointment, type AppointmentGap, type AppointmentStatus, type AppointmentImport } from "../api/appointments";
import { ApiError } from "../api/client";
import { useClients } from "../api/hooks";
import { CsvErrors } from "../components/CsvErrors";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate } from "../lib/format";
import { CSVButton } from "./Compliance";

const TABS = [
  { tab: "list", label: "Appointments" },
  { tab: "gaps", label: "Gaps" },
  { tab: "terminations", label: "Terminations to file" },
] as const;

/** Compliance's appointment work: the carriers' appointments of agents by state, and what to request or terminate. */
export function ComplianceAppointments() {
  const [params] = useSearchParams();
  const tab = params.get("tab") ?? "list";
  return (
    <section>
      <h1>Appointments</h1>
      <p className="hint">A carrier must appoint an agent in a state before the agent sells its products there. Programs that require it route an agent only where they are licensed and appointed.</p>
      <nav aria-label="Appointment pages" className="tabs">
        {TABS.map((t) => (
          <NavLink key={t.tab} to={`/compliance/appointments?tab=${t.tab}`} aria-current={tab === t.tab ? "page" : undefined} className={tab === t.tab ? "active" : undefined} end>
            {t.label}
          </NavLink>
        ))}
      </nav>
      {tab === "list" && <AppointmentList />}
      {tab === "gaps" && <Gaps />}
      {tab === "terminations" && <Terminations />}
    </section>
  );
}

function agentName(a: { display_name?: string; email?: string }) {
  return a.display_name || a.email || "";
}

function AppointmentList() {
  const clients = useClients();
  const [filter, setFilter] = useState<{ client_id: string; jurisdiction: string; status: AppointmentStatus | "" }>({ client_id: "", jurisdiction: "", status: "" });
  const list = useQuery({ queryKey: ["appointments", filter], queryFn: () => appointments.list(filter), staleTime: 0 });
  const [dialog, setDialog] = useState<{ kind: "record" } | { kind: "import" } | { kind: "activate" | "terminate"; a: Appointment } | null>(null);
  const [notice, setNotice] = useState("");
  const done = (msg: string) => { setDialog(null); setNotice(msg); };
  return (
    <>
      <div className="page-head">
        <h2>Appointments on record</h2>
        <span className="row-actions">
          <button type="button" className="primary" onClick={() => setDialog({ kind: "record" })}>Record appointment</button>
          <button type="button" onClick={() => setDialog({ kind: "import" })}>Import CSV</button>
        </span>
      </div>
      <form className="filters" role="search" aria-label="Filter appointments" onSubmit={(e) => e.preventDefault()}>
        <Field label="Carrier">
          <select value={filter.client_id} onChange={(e) => setFilter({ ...filter, client_id: e.target.value })}>
            <option value="">All carriers</option>
            {clients.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
        <Field label="State">
          <input value={filter.jurisdiction} maxLength={2} size={4} onChange={(e) => setFilter({ ...filter, jurisdiction: e.target.value.toUpperCase() })} placeholder="TX" />
        </Field>
        <Field label="Status">
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as AppointmentStatus | "" })}>
            <option value="">Any status</option>
            {(Object.keys(APPOINTMENT_STATUS) as AppointmentStatus[]).map((s) => <option key={s} value={s}>{APPOINTMENT_STATUS[s].label}</option>)}
          </select>
        </Field>
      </form>
      <p role="status" className="notice-line">{notice}</p>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {list.isPending && <p className="loading" role="status">Loading appointments…</p>}
      {list.data?.length === 0 && <p>No appointment matches.</p>}
      {!!list.data?.length && (
        <table className="list">
          <caption className="sr-only">Appointments, by carrier, state and agent</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Carrier</th><th scope="col">State</th><th scope="col">Lines</th><th scope="col">Status</th><th scope="col">Dates</th><th scope="col">Reference</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id}>
                <td>{agentName(a)}{a.display_name && <><br /><span className="hint">{a.email}</span></>}</td>
                <td>{a.client_name}</td>
                <td>{a.jurisdiction}</td>
                <td>{a.lines_of_authority.join(", ")}</td>
                <td><span className={`badge ${APPOINTMENT_STATUS[a.status].cls}`}>{APPOINTMENT_STATUS[a.status].label}</span></td>
                <td>
                  {a.effective_date ? `From ${formatDate(a.effective_date)}` : "Not yet in force"}
                  {a.termination_date && <><br />{`Until ${formatDate(a.termination_date)}`}<br /><span className="hint">{a.termination_reason}</span></>}
                </td>
                <td>{a.reference || "—"}</td>
                <td className="row-actions">
                  {a.status === "requested" && (
                    <button type="button" className="small primary" onClick={() => setDialog({ kind: "activate", a })} aria-label={`Activate ${agentName(a)}'s ${a.jurisdiction} appointment`}>Activate</button>
                  )}
                  {a.status !== "terminated" && (
                    <button type="button" className="small danger" onClick={() => setDialog({ kind: "terminate", a })} aria-label={`Terminate ${agentName(a)}'s ${a.jurisdiction} appointment`}>Terminate</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog?.kind === "record" && <RecordDialog onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === "import" && <ImportDialog onClose={() => setDialog(null)} onDone={done} />}
      {(dialog?.kind === "activate" || dialog?.kind === "terminate") && <ChangeDialog kind={dialog.kind} a={dialog.a} onClose={() => setDialog(null)} onDone={done} />}
    </>
  );
}

const RECORD_FIELDS = ["email", "client_id", "jurisdiction", "lines_of_authority", "status", "effective_date", "reference", "evidence"] as const;

function RecordDialog({ onClose, onDone }: { onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const clients = useClients();
  const [f, setF] = useState({ email: "", client_id: "", jurisdiction: "", lines: "life; accident-and-health", status: "requested" as "requested" | "active", effective_date: "", reference: "", evidence: "" });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const rec = useMutation({
    mutationFn: () => appointments.record({
      email: f.email.trim(), client_id: f.client_id, jurisdiction: f.jurisdiction.trim().toUpperCase(),
      lines_of_authority: f.lines.split(/[,;]/).map((x) => x.trim()).filter(Boolean), status: f.status,
      ...(f.status === "active" ? { effective_date: f.effective_date } : {}), reference: f.reference.trim(), evidence: f.evidence.trim(),
    }),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ["appointments"] });
      onDone(`Recorded ${f.email.trim()}'s ${a.jurisdiction} appointment as ${APPOINTMENT_STATUS[a.status].label.toLowerCase()}.`);
    },
  });
  const errs = formErrors(rec.error, [...RECORD_FIELDS, "user_id"]);
  const ref = useFocusOnError(rec.error);
  return (
    <Dialog title="Record an appointment" onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); rec.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="Agent's email" error={errs.fields.email ?? errs.fields.user_id}>
          <input type="email" value={f.email} onChange={set("email")} autoComplete="off" autoFocus />
        </Field>
        <Field label="Carrier" error={errs.fields.client_id}>
          <select value={f.client_id} onChange={set("client_id")}>
            <option value="">Choose the carrier</option>
            {clients.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
        <Field label="State" hint="Two letters, e.g. TX." error={errs.fields.jurisdiction}>
          <input value={f.jurisdiction} onChange={set("jurisdiction")} maxLength={2} size={4} />
        </Field>
        <Field label="Lines of authority" hint="Separated by ; or ," error={errs.fields.lines_of_authority}>
          <input value={f.lines} onChange={set("lines")} />
        </Field>
        <fieldset className="segmented">
          <legend>Status</legend>
          <label className="check"><input type="radio" name="status" checked={f.status === "requested"} onChange={() => setF({ ...f, status: "requested" })} /> Requested of the carrier</label>
          <label className="check"><input type="radio" name="status" checked={f.status === "active"} onChange={() => setF({ ...f, status: "active" })} /> Appointed</label>
        </fieldset>
        {f.status === "active" && (
          <Field label="Effective date" error={errs.fields.effective_date}>
            <input type="date" value={f.effective_date} onChange={set("effective_date")} />
          </Field>
        )}
        <Field label="Carrier's or NIPR reference (optional)" error={errs.fields.reference}>
          <input value={f.reference} onChange={set("reference")} maxLength={100} />
        </Field>
        <Field label="Evidence (optional)" error={errs.fields.evidence}>
          <textarea rows={2} value={f.evidence} onChange={set("evidence")} maxLength={2000} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={rec.isPending}>Record appointment</button>
        </div>
      </form>
    </Dialog>
  );
}

function ChangeDialog({ kind, a, onClose, onDone }: { kind: "activate" | "terminate"; a: Appointment; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const [date, setDate] = useState("");
  const [text, setText] = useState("");
  const change = useMutation({
    mutationFn: () => (kind === "activate" ? appointments.activate(a.id, date, text.trim()) : appointments.terminate(a.id, text.trim(), date)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["appointments"] });
      onDone(`${kind === "activate" ? "Activated" : "Terminated"} ${agentName(a)}'s ${a.jurisdiction} appointment with ${a.client_name}.`);
    },
  });
  const errs = formErrors(change.error, ["effective_date", "termination_date", "reason", "reference"]);
  const ref = useFocusOnError(change.error);
  return (
    <Dialog title={kind === "activate" ? "Activate this appointment" : "Terminate this appointment"} onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); change.mutate(); }}>
        <dl className="facts">
          <dt>Agent</dt><dd>{a.display_name ? `${a.display_name} (${a.email})` : a.email}</dd>
          <dt>Carrier</dt><dd>{a.client_name}</dd>
          <dt>State and lines</dt><dd>{a.jurisdiction}: {a.lines_of_authority.join(", ")}</dd>
        </dl>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        {kind === "activate" ? (
          <>
            <Field label="Effective date" hint="The day the carrier's appointment takes effect." error={errs.fields.effective_date}>
              <input type="date" value={date} onChange={(e) => setDate(e.target.value)} autoFocus />
            </Field>
            <Field label="Carrier's or NIPR reference (optional)" error={errs.fields.reference}>
              <input value={text} onChange={(e) => setText(e.target.value)} maxLength={100} />
            </Field>
          </>
        ) : (
          <>
            <Field label="Why is it terminated?" hint="E.g. left the carrier's programs, license lapsed." error={errs.fields.reason}>
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} autoFocus />
            </Field>
            <Field label="Termination date (optional)" hint="Today when left empty; a later date keeps it in force until then." error={errs.fields.termination_date}>
              <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
            </Field>
          </>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className={kind === "activate" ? "primary" : "danger"} disabled={change.isPending}>
            {kind === "activate" ? "Activate appointment" : "Terminate appointment"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function importSummary(r: AppointmentImport) {
  return `Imported the appointment list: ${r.created} recorded, ${r.activated} activated, ${r.terminated} terminated, ${r.unchanged} already on record.`;
}

function ImportDialog({ onClose, onDone }: { onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const imp = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error("Choose a CSV file first.");
      return appointments.importCSV(await file.text());
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ["appointments"] });
      onDone(importSummary(r));
    },
  });
  const err = imp.error;
  const formRef = useFocusOnError(err);
  return (
    <Dialog title="Import a carrier's appointment list" onClose={onClose}>
      <form ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); imp.mutate(); }}>
        <p className="hint">
          The first row names the columns: <code>email</code> (or <code>user_id</code>), <code>client</code> (the carrier's slug, or{" "}
          <code>client_id</code>), <code>jurisdiction</code>, <code>lines_of_authority</code> (separated by <code>;</code>) and{" "}
          <code>status</code> (requested, active or terminated); <code>effective_date</code>, <code>termination_date</code>,{" "}
          <code>termination_reason</code>, <code>reference</code> and <code>evidence</code> as needed. Each row records, activates or
          terminates the appointment on record, or leaves it when it already says so. All rows are applied, or none.
        </p>
        {err instanceof ApiError && err.code === "invalid" ? (
          <CsvErrors fields={err.fields} message={err.message} />
        ) : (
          err && <p role="alert" className="error">{err.message}</p>
        )}
        <Field label="CSV file">
          <input type="file" accept=".csv,text/csv" onChange={(e) => { setFile(e.target.files?.[0] ?? null); imp.reset(); }} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={imp.isPending || !file}>{imp.isPending ? "Importing…" : "Import"}</button>
        </div>
      </form>
    </Dialog>
  );
}

const GAP: Record<AppointmentGap["appointment"], string> = {
  none: "Not appointed",
  requested: "Requested, not yet active",
  not_effective: "Active from a later date",
  terminated: "Terminated",
  lines_missing: "Appointed without every line",
};

function Gaps() {
  const gaps = useQuery({ queryKey: ["appointment-gaps"], queryFn: appointments.gaps, staleTime: 0 });
  return (
    <>
      <div className="page-head">
        <h2>Licensed but not appointed</h2>
        <CSVButton path="/reports/appointment-gaps" name="appointment-gaps.csv" label="Download CSV" />
      </div>
      <p className="hint">Agents assigned to a program that requires appointments, licensed for one of its states but not appointed there by its carrier. They are not routed for those states.</p>
      {gaps.error && <p role="alert" className="error">{gaps.error.message}</p>}
      {gaps.isPending && <p className="loading" role="status">Loading…</p>}
      {gaps.data?.length === 0 && <p>No gaps: every licensed agent is appointed where their programs need it.</p>}
      {!!gaps.data?.length && (
        <table className="list">
          <caption className="sr-only">Appointment gaps</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Program</th><th scope="col">State</th><th scope="col">Lines</th><th scope="col">On record</th></tr>
          </thead>
          <tbody>
            {gaps.data.map((g) => (
              <tr key={`${g.user_id}:${g.program_id}:${g.state}:${g.class}`}>
                <td>{agentName(g)}{g.display_name && <><br /><span className="hint">{g.email}</span></>}</td>
                <td>{g.program}</td>
                <td>{g.state}</td>
                <td>{g.lines.join(", ")}</td>
                <td>{GAP[g.appointment]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const REASON: Record<string, string> = {
  agent_deactivated: "Agent deactivated",
  left_client: "No longer in the carrier's programs",
  license_lapsed: "License lapsed in the state",
};

function Terminations() {
  const list = useQuery({ queryKey: ["appointment-terminations"], queryFn: appointments.terminations, staleTime: 0 });
  return (
    <>
      <div className="page-head">
        <h2>Terminations to file</h2>
        <CSVButton path="/reports/appointment-terminations" name="appointment-terminations.csv" label="Download CSV" />
      </div>
      <p className="hint">Active appointments whose agent no longer sells for the carrier in the state. File each termination with the state by its date (the deadlines are configured per state; check them against each state's rule), then terminate it here.</p>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {list.isPending && <p className="loading" role="status">Loading…</p>}
      {list.data?.length === 0 && <p>Nothing to file.</p>}
      {!!list.data?.length && (
        <table className="list">
          <caption className="sr-only">Appointment terminations to file, soonest first</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Carrier</th><th scope="col">State</th><th scope="col">Why</th><th scope="col">Since</th><th scope="col">File by</th></tr>
          </thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.id}>
                <td>{agentName(r)}{r.display_name && <><br /><span className="hint">{r.email}</span></>}</td>
                <td>{r.client_name}</td>
                <td>{r.jurisdiction}</td>
                <td>{REASON[r.reason] ?? r.reason}</td>
                <td>{r.since ? formatDate(r.since) : "Unknown"}</td>
                <td>{r.file_by ? <span className={`badge ${r.overdue ? "bad" : "warn"}`}>{r.overdue ? "Overdue: " : ""}{formatDate(r.file_by)}</span> : "As soon as possible"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
