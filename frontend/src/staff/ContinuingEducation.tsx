import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { appointments, type CELibrary, type CERequirement, type CEStanding } from "../api/appointments";
import { ApiError } from "../api/client";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime } from "../lib/format";
import { CEStandingCell } from "../training/MyLicenses";
import { CSVButton } from "./Compliance";

/** "13 of 24 h" and each category's hours, for a license's CE standing. */
export function ceSummary(s: CEStanding): string {
  const cats = s.categories.map((c) => `${c.category.replace(/-/g, " ")} ${c.earned} of ${c.required} h`);
  return [`${s.earned_hours} of ${s.required_hours} h`, ...cats].join("; ");
}

/** Words for a slug: "long-term-care" reads "long term care". */
const words = (slug: string) => slug.replace(/-/g, " ");

/**
 * The CE library (requirements per state and license class, which compliance and admins maintain here;
 * approved courses) and the licenses whose CE is behind.
 */
export function ContinuingEducation() {
  const lib = useQuery({ queryKey: ["ce-library"], queryFn: appointments.ceLibrary });
  const atRisk = useQuery({ queryKey: ["ce-at-risk"], queryFn: appointments.ceAtRisk, staleTime: 0 });
  const [editing, setEditing] = useState<{ r: CERequirement | null } | null>(null);
  const [removing, setRemoving] = useState<CERequirement | null>(null);
  const [notice, setNotice] = useState("");
  const anySample = !!lib.data && (lib.data.sample || lib.data.requirements.some((r) => r.sample));
  return (
    <section>
      <h1>Continuing education</h1>
      {lib.error && <p role="alert" className="error">{lib.error.message}</p>}
      {lib.isPending && <p className="loading" role="status">Loading the CE library…</p>}
      <p role="status" className="notice-line">{notice}</p>
      {lib.data && (
        <>
          {anySample && (
            <div className="callout warn" role="note">
              <strong>Sample values, not legal requirements.</strong> {lib.data.notice || "Check every requirement against the state's rules before relying on it."}
              {" "}Values marked <span className="badge warn">sample</span> have not been checked against the state's rules.
            </div>
          )}
          <p className="hint">
            Seeded from <code>content/ce-requirements.yaml</code>
            {lib.data.imported_at ? `, imported ${formatDateTime(lib.data.imported_at)}` : ", not imported yet"}.
            {" "}Requirements edited here stay until that file changes; download the file and commit it to the content library to keep them.
          </p>
          {lib.data.edited_at && (
            <div className="callout">
              <strong>Edited here since the file was imported</strong> ({formatDateTime(lib.data.edited_at)}).
              {" "}Download the file and commit it as <code>content/ce-requirements.yaml</code>: a changed file imported without these edits replaces them.
            </div>
          )}
          <div className="page-head">
            <h2>Requirements per renewal period</h2>
            <span className="actions wrap">
              <button type="button" className="primary" onClick={() => setEditing({ r: null })} disabled={!lib.data.imported_at}>Add requirement</button>
              <CSVButton path="/ce/library/export" name="ce-requirements.yaml" label="Download file" accept="application/yaml" />
            </span>
          </div>
          {lib.data.requirements.length === 0 ? <p>No requirement is configured.</p> : (
            <table className="list ce-reqs">
              <caption className="sr-only">CE requirements by state and license class</caption>
              <thead><tr><th scope="col">State and class</th><th scope="col">Hours per period</th><th scope="col">Of which</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {lib.data.requirements.map((r) => (
                  <tr key={`${r.state}:${r.class}`}>
                    <th scope="row">{r.state}{" "}<br /><span className="hint">{words(r.class)}</span></th>
                    <td>{r.hours} h in {r.period_months} months{r.sample && <> <span className="badge warn">sample</span></>}</td>
                    <td className="ce-of-which">{Object.entries(r.categories).map(([c, h]) => `${h} h ${words(c)}`).join(", ") || "—"}</td>
                    <td><div className="ce-actions">
                      <button type="button" className="small" onClick={() => setEditing({ r })} aria-label={`Edit the ${r.state} ${words(r.class)} requirement`}>Edit</button>
                      <button type="button" className="small danger" onClick={() => setRemoving(r)} aria-label={`Remove the ${r.state} ${words(r.class)} requirement`}>Remove</button>
                    </div></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Approved CE courses</h2>
          <p className="hint">A program (credited when an agent certifies on it) or a module (credited when an agent completes it), in the states listed; set in the library file.</p>
          {lib.data.courses.length === 0 ? <p>No program or module is approved as a course.</p> : (
            <table className="list">
              <caption className="sr-only">Approved CE courses</caption>
              <thead><tr><th scope="col">Course</th><th scope="col">States</th><th scope="col">Approval</th><th scope="col">Credit</th></tr></thead>
              <tbody>
                {lib.data.courses.map((c) => (
                  <tr key={c.program + c.module + c.approval}>
                    <td>{c.module ? <>{c.module_title || c.module}<br /><span className="hint">Module</span></> : <>{c.program_name || c.program}<br /><span className="hint">Program</span></>}</td>
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
      {editing && lib.data && (
        <RequirementDialog lib={lib.data} r={editing.r} onClose={() => setEditing(null)} onDone={(msg) => { setEditing(null); setNotice(msg); }} />
      )}
      {removing && <RemoveDialog r={removing} onClose={() => setRemoving(null)} onDone={(msg) => { setRemoving(null); setNotice(msg); }} />}
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

const REQUIREMENT_FIELDS = ["state", "class", "period_months", "hours", "categories", "sample"] as const;

/** One category line of the form: its slug and hours as typed. */
interface CategoryRow { key: number; name: string; hours: string }

/** Adds (r null) or edits a requirement; the API checks every value and names each field it refuses. */
function RequirementDialog({ lib, r, onClose, onDone }: { lib: CELibrary; r: CERequirement | null; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState({
    state: r?.state ?? "", klass: r?.class ?? "insurance-producer", period: String(r?.period_months ?? 24), hours: r ? String(r.hours) : "",
    sample: r?.sample ?? true,
  });
  const [cats, setCats] = useState<CategoryRow[]>(() => Object.entries(r?.categories ?? {}).map(([name, h], i) => ({ key: i, name, hours: String(h) })));
  const [next, setNext] = useState(cats.length);
  const set = (k: "state" | "klass" | "period" | "hours") => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const save = useMutation({
    mutationFn: () => {
      const categories: Record<string, number> = {};
      for (const c of cats) {
        if (c.name.trim() || c.hours.trim()) categories[c.name.trim()] = Number(c.hours || 0);
      }
      return appointments.setCERequirement(f.state.trim().toUpperCase() || "-", f.klass.trim() || "-", {
        period_months: Math.trunc(Number(f.period || 0)), hours: Number(f.hours || 0), categories, sample: f.sample,
      });
    },
    onSuccess: (out) => {
      qc.setQueryData(["ce-library"], out);
      void qc.invalidateQueries({ queryKey: ["ce-at-risk"] });
      onDone(`Saved the ${f.state.trim().toUpperCase()} ${words(f.klass.trim())} requirement.`);
    },
  });
  const errs = formErrors(save.error, REQUIREMENT_FIELDS);
  const raw = save.error instanceof ApiError ? save.error.fields : {};
  const ref = useFocusOnError(save.error);
  const taken = !r && lib.requirements.some((x) => x.state === f.state.trim().toUpperCase() && x.class === f.klass.trim());
  return (
    <Dialog title={r ? `Edit the ${r.state} ${words(r.class)} requirement` : "Add a CE requirement"} onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        {!r && (
          <>
            <Field label="State" hint="Two letters, e.g. TX." error={errs.fields.state}>
              <input value={f.state} onChange={set("state")} maxLength={2} size={4} autoFocus />
            </Field>
            <Field label="License class" hint={taken ? "This state and class has a requirement: saving replaces it." : "A slug, e.g. insurance-producer."} error={errs.fields.class}>
              <input value={f.klass} onChange={set("klass")} maxLength={63} />
            </Field>
          </>
        )}
        <Field label="Renewal period (months)" hint="The months before a license's expiry date that CE counts for." error={errs.fields.period_months}>
          <input type="number" inputMode="numeric" min={1} max={120} value={f.period} onChange={set("period")} autoFocus={!!r} />
        </Field>
        <Field label="Hours per period" error={errs.fields.hours}>
          <input type="number" inputMode="decimal" min={0} step="any" value={f.hours} onChange={set("hours")} />
        </Field>
        <fieldset aria-describedby="ce-cat-hint">
          <legend>Hours that must be of a category</legend>
          <p id="ce-cat-hint" className="hint">Part of the hours above, e.g. 3 of ethics. A category is a slug such as ethics or long-term-care.</p>
          {raw.categories && <p className="field-error">{raw.categories}</p>}
          {cats.map((c, i) => {
            const err = raw[`categories.${c.name.trim()}`];
            const label = c.name.trim() ? words(c.name.trim()) : `category ${i + 1}`;
            return (
              <div key={c.key} className="ce-category">
                <Field label={`Category ${i + 1}`} error={err}>
                  <input value={c.name} onChange={(e) => setCats(cats.map((x) => x.key === c.key ? { ...x, name: e.target.value } : x))} maxLength={63} />
                </Field>
                <Field label={`Hours of ${label}`}>
                  <input type="number" inputMode="decimal" min={0} step="any" value={c.hours} onChange={(e) => setCats(cats.map((x) => x.key === c.key ? { ...x, hours: e.target.value } : x))} />
                </Field>
                <button type="button" className="small" onClick={() => setCats(cats.filter((x) => x.key !== c.key))} aria-label={`Remove ${label}`}>Remove</button>
              </div>
            );
          })}
          <button type="button" className="small" onClick={() => { setCats([...cats, { key: next, name: "", hours: "" }]); setNext(next + 1); }}>Add a category</button>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={f.sample} onChange={(e) => setF({ ...f, sample: e.target.checked })} aria-describedby="ce-sample-hint" />
          {" "}Sample value
        </label>
        <p id="ce-sample-hint" className="hint">Leave ticked until these values have been checked against the state insurance department's current rules.</p>
        {errs.fields.sample && <p className="field-error">{errs.fields.sample}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={save.isPending}>Save requirement</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Asks before removing a requirement. */
function RemoveDialog({ r, onClose, onDone }: { r: CERequirement; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const del = useMutation({
    mutationFn: () => appointments.deleteCERequirement(r.state, r.class),
    onSuccess: (out) => {
      qc.setQueryData(["ce-library"], out);
      void qc.invalidateQueries({ queryKey: ["ce-at-risk"] });
      onDone(`Removed the ${r.state} ${words(r.class)} requirement.`);
    },
  });
  return (
    <Dialog title={`Remove the ${r.state} ${words(r.class)} requirement?`} onClose={onClose}>
      <p>Licenses in {r.state} of this class then have no CE requirement and are never reported at risk for CE.</p>
      {del.error && <p role="alert" className="error">{del.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={del.isPending} onClick={() => del.mutate()}>Remove requirement</button>
      </div>
    </Dialog>
  );
}

const CREDIT_FIELDS = ["jurisdiction", "hours", "category", "completed_on", "title", "approval_number", "evidence"] as const;

/**
 * An agent's continuing education, for compliance and admins on the user's page: each license's hours this
 * period against its requirement, by category, the credits on record, and (compliance) recording external CE.
 */
export function UserContinuingEducation({ userID, canRecord }: { userID: string; canRecord: boolean }) {
  const ce = useQuery({ queryKey: ["ce-standing", userID], queryFn: () => appointments.ceStanding(userID), staleTime: 0 });
  const [recording, setRecording] = useState(false);
  const [notice, setNotice] = useState("");
  return (
    <section aria-labelledby="user-ce">
      <div className="page-head">
        <h2 id="user-ce">Continuing education</h2>
        {canRecord && <button type="button" onClick={() => setRecording(true)}>Record external CE</button>}
      </div>
      <p role="status" className="notice-line">{notice}</p>
      {ce.isError && <p role="alert" className="error">{ce.error.message}</p>}
      {ce.data?.standings.length === 0 && <p>No verified or pending license.</p>}
      {!!ce.data?.standings.length && (
        <table className="list">
          <caption className="sr-only">Each license's CE this renewal period</caption>
          <thead><tr><th scope="col">License</th><th scope="col">Expires</th><th scope="col">CE this period</th></tr></thead>
          <tbody>
            {ce.data.standings.map((s) => (
              <tr key={s.license.id}>
                <td>{s.license.jurisdiction} {s.license.license_number}<br /><span className="hint">{words(s.license.class)}</span></td>
                <td>{formatDate(s.license.expiry_date)}</td>
                <td><CEStandingCell s={s} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!!ce.data?.credits.length && (
        <table className="list">
          <caption className="sr-only">CE credits on record, newest first</caption>
          <thead><tr><th scope="col">Completed</th><th scope="col">Course</th><th scope="col">Credit</th><th scope="col">Source</th></tr></thead>
          <tbody>
            {ce.data.credits.map((c) => (
              <tr key={c.id}>
                <td>{formatDate(c.completed_on)}</td>
                <td>{c.title}{c.approval_number && <><br /><span className="hint">Approval {c.approval_number}</span></>}</td>
                <td>{c.jurisdiction}: {c.hours} h{c.category ? ` ${words(c.category)}` : ""}</td>
                <td>{c.source === "course" ? (c.module_id ? "Module completed" : "Program certified") : "Recorded by compliance"}{c.evidence && <><br /><span className="hint">{c.evidence}</span></>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {recording && <RecordCreditDialog userID={userID} onClose={() => setRecording(false)} onDone={(msg) => { setRecording(false); setNotice(msg); }} />}
    </section>
  );
}

/** Compliance records CE completed outside Skillgate, with the evidence it is recorded from. */
function RecordCreditDialog({ userID, onClose, onDone }: { userID: string; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState({ jurisdiction: "", hours: "", category: "", completed_on: "", title: "", approval_number: "", evidence: "" });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const rec = useMutation({
    mutationFn: () => appointments.recordCECredit({
      user_id: userID, jurisdiction: f.jurisdiction.trim().toUpperCase(), hours: Number(f.hours || 0), category: f.category.trim(),
      completed_on: f.completed_on, title: f.title.trim(), approval_number: f.approval_number.trim(), evidence: f.evidence.trim(),
    }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ["ce-standing", userID] });
      void qc.invalidateQueries({ queryKey: ["ce-at-risk"] });
      onDone(`Recorded ${c.hours} hours of ${c.jurisdiction} CE.`);
    },
  });
  const errs = formErrors(rec.error, [...CREDIT_FIELDS, "user_id"]);
  const ref = useFocusOnError(rec.error);
  return (
    <Dialog title="Record external CE" onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); rec.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="State" hint="Two letters: the credit counts on the agent's license there." error={errs.fields.jurisdiction}>
          <input value={f.jurisdiction} onChange={set("jurisdiction")} maxLength={2} size={4} autoFocus />
        </Field>
        <Field label="Course title" error={errs.fields.title}>
          <input value={f.title} onChange={set("title")} maxLength={200} />
        </Field>
        <Field label="Hours" error={errs.fields.hours}>
          <input type="number" inputMode="decimal" min={0} step="any" value={f.hours} onChange={set("hours")} />
        </Field>
        <Field label="Category (optional)" hint="e.g. ethics; empty for general hours." error={errs.fields.category}>
          <input value={f.category} onChange={set("category")} maxLength={63} />
        </Field>
        <Field label="Completed on" error={errs.fields.completed_on}>
          <input type="date" value={f.completed_on} onChange={set("completed_on")} />
        </Field>
        <Field label="State approval number (optional)" error={errs.fields.approval_number}>
          <input value={f.approval_number} onChange={set("approval_number")} maxLength={100} />
        </Field>
        <Field label="Evidence" hint="The certificate or roster it is recorded from." error={errs.fields.evidence}>
          <textarea rows={2} value={f.evidence} onChange={set("evidence")} maxLength={2000} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={rec.isPending}>Record CE</button>
        </div>
      </form>
    </Dialog>
  );
}
