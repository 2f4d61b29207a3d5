import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router-dom";
import { ApiError } from "../api/client";
import { onboarding, type Cohort, type DueFrom } from "../api/onboarding";
import { staff } from "../api/staff";
import { useSession } from "../auth/session";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate } from "../lib/format";
import { usePrograms } from "../training/hooks";
import { DUE_FROM_LABEL } from "./logic";

const CREATE_FIELDS = ["name", "start_date", "trainer_id", "program_ids", "skip_weekends", "due_from", "user_id"] as const;

/** Trainers' and supervisors' cohorts, newest start first, and a form for a new one. */
export function Cohorts() {
  const { me } = useSession();
  const cohorts = useQuery({ queryKey: ["cohorts"], queryFn: onboarding.cohorts, staleTime: 0 });
  const mayCreate = me?.role === "trainer" || me?.role === "supervisor" || me?.role === "admin";
  const [creating, setCreating] = useState(false);
  return (
    <section>
      <div className="page-head">
        <h1>Cohorts</h1>
        {mayCreate && !creating && (
          <div className="actions"><button type="button" className="primary" onClick={() => setCreating(true)}>New cohort</button></div>
        )}
      </div>
      <p className="hint">Classes of new hires who start together, with their dated onboarding tasks.</p>
      {creating && <CreateCohort onCancel={() => setCreating(false)} />}
      {cohorts.isError && <p role="alert" className="error">{cohorts.error.message}</p>}
      {cohorts.isPending && <p className="loading" role="status">Loading cohorts…</p>}
      {cohorts.data?.length === 0 && <p>No cohorts yet.</p>}
      {!!cohorts.data?.length && (
        <table className="list">
          <caption className="sr-only">Cohorts, newest start first</caption>
          <thead>
            <tr><th scope="col">Cohort</th><th scope="col">Starts</th><th scope="col">Programs</th><th scope="col">Trainer</th><th scope="col">Members</th></tr>
          </thead>
          <tbody>
            {cohorts.data.map((c) => (
              <tr key={c.id}>
                <td><Link to={`/cohorts/${c.id}`}>{c.name}</Link></td>
                <td>{formatDate(c.start_date)}</td>
                <td>{c.programs.map((p) => p.name).join(", ")}</td>
                <td>{c.trainer?.display_name || c.trainer?.email || "—"}</td>
                <td>{c.members.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * The new-cohort form: name, start date, trainer, programs and the first
 * members. The cohort is created first, then each member added; a member the
 * API refuses is named at the members field, the cohort stays.
 */
function CreateCohort({ onCancel }: { onCancel: () => void }) {
  const { me } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const programs = usePrograms();
  const isStaff = me?.role === "trainer" || me?.role === "supervisor";
  const trainers = useQuery({
    queryKey: ["staff-users", "trainer"], queryFn: () => staff.users("trainer"), enabled: !isStaff,
  });
  const agents = useQuery({ queryKey: ["staff-users", "agent"], queryFn: () => staff.users("agent") });
  const [name, setName] = useState("");
  const [start, setStart] = useState("");
  const [trainerID, setTrainerID] = useState(isStaff ? me!.id : "");
  const [programIDs, setProgramIDs] = useState<string[]>([]);
  const [skipWeekends, setSkipWeekends] = useState(true);
  const [dueFrom, setDueFrom] = useState<DueFrom>("join_date");
  const [members, setMembers] = useState<string[]>([]);
  const [created, setCreated] = useState<Cohort | null>(null);

  const create = useMutation({
    mutationFn: async () => {
      let c = created ?? await onboarding.create({ name: name.trim(), start_date: start, trainer_id: trainerID, program_ids: programIDs, skip_weekends: skipWeekends, due_from: dueFrom });
      setCreated(c);
      for (const id of members) {
        if (c.members.some((m) => m.user_id === id)) continue;
        try {
          c = await onboarding.addMember(c.id, id);
          setCreated(c);
        } catch (e) {
          if (e instanceof ApiError && e.code === "conflict") continue; // a member already
          const who = agents.data?.find((a) => a.id === id)?.email ?? id;
          if (e instanceof ApiError) throw new ApiError(e.status, e.code, e.message, { user_id: `${who}: ${e.fields.user_id ?? e.message}` });
          throw e;
        }
      }
      return c;
    },
    onSuccess: (c) => {
      navigate(`/cohorts/${c.id}`, { state: { notice: `Created ${c.name} with ${members.length} member${members.length === 1 ? "" : "s"}.` } });
    },
    // Also after a refused member: the cohort itself exists by then.
    onSettled: () => void qc.invalidateQueries({ queryKey: ["cohorts"] }),
  });
  const errs = formErrors(create.error, CREATE_FIELDS);
  const formRef = useFocusOnError(create.error);
  const trainerOptions = isStaff ? [{ id: me!.id, email: me!.email, display_name: me!.display_name }] : trainers.data ?? [];

  return (
    <form ref={formRef} className="panel" noValidate aria-labelledby="new-cohort" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <h2 id="new-cohort">New cohort</h2>
      {created && <p className="notice-warn">Created {created.name}; some members could not be added (see below). Fix them and press the button again.</p>}
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <div className="grid-2">
        <Field label="Name" error={errs.fields.name}>
          <input value={name} disabled={!!created} onChange={(e) => setName(e.target.value)} placeholder="March 2026 outages class" />
        </Field>
        <Field label="Start date" error={errs.fields.start_date} hint="Day 1 of the plan (or the first working day after it).">
          <input type="date" value={start} disabled={!!created} onChange={(e) => setStart(e.target.value)} />
        </Field>
        <Field label="Trainer" error={errs.fields.trainer_id}>
          <select value={trainerID} disabled={!!created} onChange={(e) => setTrainerID(e.target.value)}>
            {!isStaff && <option value="">Choose a trainer…</option>}
            {trainerOptions.map((t) => <option key={t.id} value={t.id}>{t.display_name ? `${t.display_name} (${t.email})` : t.email}</option>)}
          </select>
        </Field>
        <div className="field">
          <label className="check inline"><input type="checkbox" checked={skipWeekends} disabled={!!created} onChange={(e) => setSkipWeekends(e.target.checked)} /> Weekends off (plan days count working days)</label>
        </div>
        <Field label="Count due dates from" error={errs.fields.due_from}>
          <select value={dueFrom} disabled={!!created} onChange={(e) => setDueFrom(e.target.value as DueFrom)}>
            {(Object.keys(DUE_FROM_LABEL) as DueFrom[]).map((k) => <option key={k} value={k}>{DUE_FROM_LABEL[k]}</option>)}
          </select>
        </Field>
      </div>
      <fieldset className="checks" aria-invalid={errs.fields.program_ids ? true : undefined} aria-describedby={errs.fields.program_ids ? "cohort-programs-error" : undefined} disabled={!!created}>
        <legend>Programs</legend>
        {programs.isPending && <p className="hint">Loading programs…</p>}
        {programs.isError && <p className="field-error">Cannot load the programs: {programs.error.message}</p>}
        {programs.data?.map((p) => (
          <label key={p.id} className="check">
            <input type="checkbox" checked={programIDs.includes(p.id)}
              onChange={(e) => setProgramIDs(e.target.checked ? [...programIDs, p.id] : programIDs.filter((x) => x !== p.id))} />
            {p.name}
          </label>
        ))}
        {errs.fields.program_ids && <p id="cohort-programs-error" className="field-error">{errs.fields.program_ids}</p>}
      </fieldset>
      <Field label="Members" error={errs.fields.user_id} hint="Agents of the cohort's clients; each is enrolled in the programs. Ctrl- or Shift-click to choose several.">
        <select multiple size={6} value={members} onChange={(e) => setMembers(Array.from(e.target.selectedOptions, (o) => o.value))}>
          {agents.data?.filter((a) => a.active).map((a) => <option key={a.id} value={a.id}>{a.display_name ? `${a.display_name} (${a.email})` : a.email}</option>)}
        </select>
      </Field>
      {agents.isError && <p className="field-error">Cannot load the agents: {agents.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : created ? "Add the members" : "Create cohort"}</button>
      </div>
    </form>
  );
}
