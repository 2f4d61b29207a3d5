// What the cohort pages decide without React: words for statuses and tasks,
// percentages, and the matrix's summary per column.
import type { DueFrom, MatrixRow, TaskKind, TaskStatus } from "../api/onboarding";
import { formatPercent, formatShare } from "../lib/format";

/** The choices of where a cohort's due dates count from. */
export const DUE_FROM_LABEL: Record<DueFrom, string> = {
  join_date: "Each member's join date (a member who joins late gets the whole plan ahead)",
  cohort_start: "The cohort's start date, for everyone (a late joiner starts behind)",
};

export const STATUS_LABEL: Record<TaskStatus | "", string> = {
  not_started: "Not started", in_progress: "In progress", done: "Done", overdue: "Overdue", "": "—",
};

/** The badge class a task status is shown with. */
export function statusClass(s: TaskStatus | ""): string {
  switch (s) {
    case "done": return "ok";
    case "overdue": return "bad";
    case "in_progress": return "warn";
    default: return "off";
  }
}

const ACTION: Record<TaskKind, string> = { module: "Read", quiz: "Pass quiz", roleplay: "Play role-play" };

/** "Read Outage basics" for a task: its action and what it is about (the module's title when known, else the slug). */
export function taskLabel(kind: TaskKind, slug: string, title?: string): string {
  return `${ACTION[kind]} ${title || slug}`;
}

/** A share as a whole percent by the app's one rule (lib/format): 0.756 → "75%", null → "—". */
export const percent = formatShare;

/** A mean score already in percent: 81.25 → "81%". */
export const score = formatPercent;

/** 1.5 → "1.5", null → "—". */
export function oneDecimal(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : (Math.round(v * 10) / 10).toString();
}

/** How many members are overdue on each column of the matrix. */
export function overdueByColumn(rows: MatrixRow[], columns: number): number[] {
  const out = new Array<number>(columns).fill(0);
  for (const r of rows) r.cells.forEach((c, i) => { if (c.status === "overdue" && i < columns) out[i]++; });
  return out;
}

/** Consecutive columns of one plan day, for the heat map's day header: the day, its first column and how many. */
export interface DayGroup {
  day: number;
  start: number;
  span: number;
}

/** The plan days of the matrix's columns, in column order (a day split by another program's columns appears twice). */
export function dayGroups(columns: { day: number }[]): DayGroup[] {
  const out: DayGroup[] = [];
  columns.forEach((c, i) => {
    const last = out[out.length - 1];
    if (last && last.day === c.day) last.span++;
    else out.push({ day: c.day, start: i, span: 1 });
  });
  return out;
}

/**
 * The matrix with its columns in plan-day order (a stable sort: within a day, the server's order, program by
 * program), each row's cells moved with them, so a cohort of several programs reads day by day.
 */
export function byPlanDay<M extends { columns: { day: number }[]; rows: { cells: unknown[] }[] }>(m: M): M {
  const order = m.columns.map((_, i) => i).sort((a, b) => m.columns[a].day - m.columns[b].day || a - b);
  return { ...m, columns: order.map((i) => m.columns[i]), rows: m.rows.map((r) => ({ ...r, cells: order.map((i) => r.cells[i]) })) };
}

/** The member's tasks (cells with a task) and how many are done. */
export function doneOf(r: MatrixRow): { done: number; total: number; share: number } {
  const total = r.cells.filter((c) => c.status !== "").length;
  const done = r.cells.filter((c) => c.status === "done").length;
  return { done, total, share: total === 0 ? 0 : done / total };
}

export type MemberSort = "name" | "share" | "overdue";
export type MemberFilter = "all" | "behind" | "on_track";

export const SORT_LABEL: Record<MemberSort, string> = { name: "Name", share: "Share done, lowest first", overdue: "Most overdue first" };
export const FILTER_LABEL: Record<MemberFilter, string> = { all: "Everyone", behind: "Behind", on_track: "On track" };

/** The member's name as people read it. */
export function memberName(r: { display_name: string; email: string }): string {
  return r.display_name || r.email;
}

/** The rows kept by the filter, in the sort's order (ties by name). */
export function arrangeRows(rows: MatrixRow[], sort: MemberSort, filter: MemberFilter): MatrixRow[] {
  const byName = (a: MatrixRow, b: MatrixRow) => memberName(a).localeCompare(memberName(b));
  const kept = rows.filter((r) => filter === "all" || r.status === filter);
  return [...kept].sort((a, b) => {
    if (sort === "share") return doneOf(a).share - doneOf(b).share || byName(a, b);
    if (sort === "overdue") return b.overdue - a.overdue || byName(a, b);
    return byName(a, b);
  });
}

/** Per plan day, how many of the members' tasks of that day are done, in progress, not started and overdue. */
export interface DayStatus {
  day: number;
  done: number;
  in_progress: number;
  not_started: number;
  overdue: number;
}

export function statusByDay(columns: { day: number }[], rows: MatrixRow[]): DayStatus[] {
  const days = new Map<number, DayStatus>();
  columns.forEach((c, i) => {
    const d = days.get(c.day) ?? { day: c.day, done: 0, in_progress: 0, not_started: 0, overdue: 0 };
    for (const r of rows) {
      const s = r.cells[i]?.status;
      if (s) d[s]++;
    }
    days.set(c.day, d);
  });
  return [...days.values()].sort((a, b) => a.day - b.day);
}

export { csvText } from "../lib/csv";
