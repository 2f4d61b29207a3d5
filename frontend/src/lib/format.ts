// How numbers and dates read for people, in one place: every page formats through these, so a date or a
// score reads the same everywhere. The API keeps exact figures and RFC 3339 times; only the display rounds.

// One format for the whole app (its words are English): "Dec 1, 2026" and "Dec 1, 2026, 2:05 PM", in the
// browser's time zone. Calendar days ("2026-12-01": due dates, license dates) are that day wherever the
// reader is, never shifted by the time zone.
const LOCALE = "en-US";
const dayFormat = new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", year: "numeric" });
const dayTimeFormat = new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", year: "numeric", hour: "numeric", minute: "2-digit" });

const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An API date or time as a Date: a calendar day ("2026-12-01") is local midnight of that day. Null when unreadable. */
export function parseDate(v?: string | null): Date | null {
  if (!v) return null;
  const day = CALENDAR_DAY.exec(v);
  const d = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "Dec 1, 2026, 2:05 PM"; "—" for none; an unreadable value as it came. */
export function formatDateTime(iso?: string | null): string {
  if (!iso) return "—";
  const d = parseDate(iso);
  if (!d) return iso;
  return CALENDAR_DAY.test(iso) ? dayFormat.format(d) : dayTimeFormat.format(d);
}

/** "Dec 1, 2026"; "—" for none; an unreadable value as it came. */
export function formatDate(iso?: string | null): string {
  if (!iso) return "—";
  const d = parseDate(iso);
  return d ? dayFormat.format(d) : iso;
}

/**
 * The last day something due at a deadline can still be done on time: a deadline is an instant (a notice's
 * due_at of "by the end of Dec 4" is 00:00 on Dec 5), so it reads as the day of the instant just before it.
 * A calendar day is that day.
 */
export function formatDueDay(iso?: string | null): string {
  if (!iso) return "—";
  if (CALENDAR_DAY.test(iso)) return formatDate(iso);
  const d = parseDate(iso);
  return d ? dayFormat.format(new Date(d.getTime() - 1)) : iso;
}

/** Whole calendar days from `now` to the day of `iso` (negative: past), in the reader's time zone; null when unreadable. */
export function daysUntil(iso: string | null | undefined, now: Date = new Date()): number | null {
  const d = parseDate(iso);
  if (!d) return null;
  const a = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  const b = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((b - a) / 86_400_000);
}

/** "today", "tomorrow", "in 3 days", "yesterday", "3 days ago"; "" when unreadable. */
export function relativeDay(iso: string | null | undefined, now: Date = new Date()): string {
  const n = daysUntil(iso, now);
  if (n === null) return "";
  if (n === 0) return "today";
  if (n === 1) return "tomorrow";
  if (n === -1) return "yesterday";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

/** A datetime-local input's value ("2026-03-12T14:05") as RFC 3339 in UTC, or "" when empty or invalid. */
export function localInputToISO(v: string): string {
  if (!v) return "";
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

/**
 * A percentage for people, the one rounding rule of the app: down to a whole percent, so a shown score
 * never reaches a pass mark the exact score missed (69.99 → "69%" next to a pass mark of 70%). Binary
 * fractions that land a hair under a whole number (56.99999999999999 for 57) count as that number.
 * "—" for none.
 */
export function formatPercent(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : `${wholePercent(v)}%`;
}

/** A share (0..1) as a percentage by the same rule: 0.756 → "75%". */
export function formatShare(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : formatPercent(v * 100);
}

/** The whole percent formatPercent shows (for widths and comparisons that must agree with the text). */
export function wholePercent(v: number): number {
  return Math.floor(v + 1e-9) + 0; // + 0 turns -0 into 0
}
