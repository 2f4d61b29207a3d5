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
