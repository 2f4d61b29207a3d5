import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { onboarding, type Cohort, type DueFrom } from "../api/onboarding";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate } from "../lib/format";
import { DUE_FROM_LABEL } from "./logic";

/** A list of dates with a date field to add one and a button to remove each. */
function DayList({ label, hint, days, onChange, error }: { label: string; hint: string; days: string[]; onChange: (d: string[]) => void; error?: string }) {
  const [day, setDay] = useState("");
  const add = () => {
    if (day && !days.includes(day)) onChange([...days, day].sort());
    setDay("");
  };
  return (
    <fieldset className="checks day-list" aria-invalid={error ? true : undefined}>
      <legend>{label}</legend>
      <p className="hint">{hint}</p>
      {days.length === 0 ? <p className="hint">None.</p> : (
        <ul className="plain">
          {days.map((d) => (
            <li key={d} className="member-line">
              <span>{formatDate(d)}</span>
              <button type="button" onClick={() => onChange(days.filter((x) => x !== d))} aria-label={`Remove ${formatDate(d)} from ${label.toLowerCase()}`}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-add">
        <Field label={`Add to ${label.toLowerCase()}`} error={error}>
          <input type="date" value={day} onChange={(e) => setDay(e.target.value)} onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); add(); } }} />
        </Field>
        <button type="button" onClick={add} disabled={!day}>Add</button>
      </div>
    </fieldset>
  );
}

/** The cohort's calendar: weekends, days off, extra working days and where due dates count from. Saving moves every member's due dates. */
export function CalendarForm({ cohort }: { cohort: Cohort }) {
  const qc = useQueryClient();
  const [skipWeekends, setSkipWeekends] = useState(cohort.skip_weekends);
  const [daysOff, setDaysOff] = useState<string[]>(cohort.days_off);
  const [workingDays, setWorkingDays] = useState<string[]>(cohort.working_days);
  const [dueFrom, setDueFrom] = useState<DueFrom>(cohort.due_from);
  const [saved, setSaved] = useState("");
  const save = useMutation({
    mutationFn: () => onboarding.setCalendar(cohort.id, { days_off: daysOff, working_days: workingDays, skip_weekends: skipWeekends, due_from: dueFrom }),
    onSuccess: (c) => {
      qc.setQueryData(["cohort", c.id], c);
      void qc.invalidateQueries({ queryKey: ["cohort-report", c.id] });
      setSaved("Saved: every member's due dates follow the calendar.");
    },
  });
  const errs = formErrors(save.error, ["days_off", "working_days", "due_from", "skip_weekends"]);
  const formRef = useFocusOnError(save.error);
  const same = skipWeekends === cohort.skip_weekends && dueFrom === cohort.due_from &&
    daysOff.join() === cohort.days_off.join() && workingDays.join() === cohort.working_days.join();
  return (
    <form ref={formRef} className="panel calendar" aria-labelledby="calendar-h" noValidate onSubmit={(e) => { e.preventDefault(); setSaved(""); save.mutate(); }}>
      <h3 id="calendar-h">Calendar</h3>
      <p className="hint">Plan day <em>n</em> is the <em>n</em>-th working day. Saving moves every member's due dates.</p>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <label className="check"><input type="checkbox" checked={skipWeekends} onChange={(e) => setSkipWeekends(e.target.checked)} /> Weekends are days off</label>
      <div className="grid-2">
        <DayList label="Days off" hint="Holidays and closures: no plan day falls on them." days={daysOff} onChange={setDaysOff} error={errs.fields.days_off} />
        <DayList label="Extra working days" hint="Weekend days that count as working days." days={workingDays} onChange={setWorkingDays} error={errs.fields.working_days} />
      </div>
      <Field label="Count due dates from" error={errs.fields.due_from}>
        <select value={dueFrom} onChange={(e) => setDueFrom(e.target.value as DueFrom)}>
          {(Object.keys(DUE_FROM_LABEL) as DueFrom[]).map((k) => <option key={k} value={k}>{DUE_FROM_LABEL[k]}</option>)}
        </select>
      </Field>
      <div className="dialog-actions">
        <button type="submit" disabled={save.isPending || same}>{save.isPending ? "Saving…" : "Save calendar"}</button>
        <span role="status" className="notice-line">{saved}</span>
      </div>
    </form>
  );
}
