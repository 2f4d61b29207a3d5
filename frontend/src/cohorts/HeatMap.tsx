import { useState } from "react";
import type { CohortMatrix, MatrixColumn, TaskStatus } from "../api/onboarding";
import { Field } from "../components/Field";
import { formatDate, wholePercent } from "../lib/format";
import {
  arrangeRows, byPlanDay, dayGroups, doneOf, FILTER_LABEL, memberName, overdueByColumn, percent, SORT_LABEL, STATUS_LABEL, taskLabel,
  type MemberFilter, type MemberSort,
} from "./logic";

/** How many overdue tasks a member's entry in the phone's list names before the rest fold away. */
const LIST_SHOWN = 4;

/** The glyph each status is drawn with beside its colour, so the map reads without colour too. */
const GLYPH: Record<TaskStatus | "", string> = { done: "✓", in_progress: "◐", overdue: "!", not_started: "·", "": "" };

function columnTitle(c: MatrixColumn): string {
  return `${taskLabel(c.kind, c.slug, c.title)} · ${c.program_name || c.program} · day ${c.day} · due ${formatDate(c.due_date)}`;
}

/**
 * Members × tasks as a compact heat map: one small cell per task, coloured and marked by status (✓ done, ◐ in
 * progress, ! overdue, · not started), grouped under plan days; each task is numbered in the header, named on
 * hover and for screen readers, and listed in the key below. Sortable and filterable; on a narrow screen the
 * same figures read as a list of members.
 */
export function HeatMap({ m: byProgram }: { m: CohortMatrix }) {
  const m = byPlanDay(byProgram);
  const [sort, setSort] = useState<MemberSort>("overdue");
  const [filter, setFilter] = useState<MemberFilter>("all");
  if (m.rows.length === 0) return <p>No members yet: add agents to see their progress.</p>;
  if (m.columns.length === 0) return <p>The cohort's programs have no onboarding plan.</p>;
  const rows = arrangeRows(m.rows, sort, filter);
  const overdue = overdueByColumn(m.rows, m.columns.length);
  const groups = dayGroups(m.columns);
  // In the phone's list a task of a cohort of several programs names its program (both may read the same module).
  const programs = new Set(m.columns.map((c) => c.program_id)).size;
  const listLabel = (i: number) => {
    const c = m.columns[i];
    return taskLabel(c.kind, c.slug, c.title) + (programs > 1 ? ` (${c.program_name || c.program})` : "");
  };
  return (
    <>
      <div className="filters heat-controls">
        <Field label="Sort members by">
          <select value={sort} onChange={(e) => setSort(e.target.value as MemberSort)}>
            {(Object.keys(SORT_LABEL) as MemberSort[]).map((k) => <option key={k} value={k}>{SORT_LABEL[k]}</option>)}
          </select>
        </Field>
        <Field label="Show">
          <select value={filter} onChange={(e) => setFilter(e.target.value as MemberFilter)}>
            {(Object.keys(FILTER_LABEL) as MemberFilter[]).map((k) => <option key={k} value={k}>{FILTER_LABEL[k]}</option>)}
          </select>
        </Field>
        <p className="hint heat-legend" aria-hidden="true">
          {(["done", "in_progress", "overdue", "not_started"] as TaskStatus[]).map((s) => (
            <span key={s}><span className={`heat-cell heat-${s}`}>{GLYPH[s]}</span> {STATUS_LABEL[s]}</span>
          ))}
        </p>
      </div>
      <p role="status" className="hint">{rows.length} of {m.rows.length} members shown.</p>
      <div className="heat-wide">
        <table className="heat">
          <caption id="matrix-caption">Progress of {m.name} as of {formatDate(m.as_of)}: members by task</caption>
          <thead>
            <tr>
              <td colSpan={2} className="heat-day-label" aria-hidden="true">Plan day</td>
              {groups.map((g) => (
                <th key={`${g.day}-${g.start}`} scope="colgroup" colSpan={g.span} className="heat-day" title={`Day ${g.day}`}><span className="sr-only">Day </span>{g.day}</th>
              ))}
            </tr>
            <tr>
              <th scope="col" className="heat-name">Agent</th>
              <th scope="col" className="heat-share">Done <span className="hint" aria-hidden="true">· task</span></th>
              {m.columns.map((c, i) => (
                <th scope="col" key={`${c.program_id}-${c.kind}-${c.slug}-${i}`} title={columnTitle(c) + (overdue[i] ? ` · ${overdue[i]} overdue` : "")} className="heat-col">
                  <span aria-hidden="true">{i + 1}</span>
                  <span className="sr-only">{columnTitle(c)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const d = doneOf(r);
              return (
                <tr key={r.user_id}>
                  <th scope="row" className="heat-name" title={r.email}>
                    {memberName(r)}
                    <span className={`badge ${r.status === "behind" ? "bad" : "ok"}`}>{r.status === "behind" ? `Behind (${r.overdue} overdue)` : "On track"}</span>
                  </th>
                  <td className="heat-share">
                    <span className="share-bar" aria-hidden="true"><span style={{ width: `${wholePercent(d.share * 100)}%` }} /></span>
                    {percent(d.share)}<span className="sr-only">, {d.done} of {d.total} done</span>
                  </td>
                  {r.cells.map((cell, i) => (
                    <td key={i} className={`heat-cell heat-${cell.status || "none"}${cell.status === "overdue" ? " cell-overdue" : ""}`}
                      title={`${memberName(r)} — ${columnTitle(m.columns[i])}: ${STATUS_LABEL[cell.status]}`}>
                      <span aria-hidden="true">{GLYPH[cell.status]}</span>
                      <span className="sr-only">{STATUS_LABEL[cell.status]}</span>
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        <details className="heat-key">
          <summary>Tasks by number</summary>
          <ol>
            {m.columns.map((c, i) => (
              <li key={i}>{columnTitle(c)}{overdue[i] > 0 && <span className="badge bad">{overdue[i]} overdue</span>}</li>
            ))}
          </ol>
        </details>
      </div>
      <ul className="heat-list" aria-label={`Progress of ${m.name}, member by member`}>
        {rows.map((r) => {
          const d = doneOf(r);
          const late = r.cells.flatMap((c, i) => (c.status === "overdue" ? [listLabel(i)] : []));
          const doing = r.cells.flatMap((c, i) => (c.status === "in_progress" ? [listLabel(i)] : []));
          return (
            <li key={r.user_id}>
              <strong>{memberName(r)}</strong>{" "}
              <span className={`badge ${r.status === "behind" ? "bad" : "ok"}`}>{r.status === "behind" ? `Behind (${r.overdue} overdue)` : "On track"}</span>
              <p className="hint">
                <span className="share-bar" aria-hidden="true"><span style={{ width: `${wholePercent(d.share * 100)}%` }} /></span>
                {d.done} of {d.total} done ({percent(d.share)})
              </p>
              {late.length > 0 && late.length <= LIST_SHOWN && <p className="hint">Overdue: {late.join("; ")}</p>}
              {late.length > LIST_SHOWN && (
                <details className="hint">
                  <summary>Overdue: {late.slice(0, LIST_SHOWN).join("; ")} and {late.length - LIST_SHOWN} more</summary>
                  <p>All {late.length} overdue: {late.join("; ")}</p>
                </details>
              )}
              {doing.length > 0 && <p className="hint">In progress: {doing.join("; ")}</p>}
            </li>
          );
        })}
      </ul>
    </>
  );
}
