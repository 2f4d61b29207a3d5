// The staff pages' logic that is worth testing on its own: reading the API's
// refusals and problems, ordering analyses, choosing whom to assign.
import type { PublicItem, PublicQuestion } from "../api/learning";
import { ApiError, type FieldErrors } from "../api/client";
import type { Enrollment, EligibilityReason, QuizAnalysis, RosterAgent, StaffUser } from "../api/staff";

/** A reason as a person reads it: the message, with the state it concerns when the message does not say. */
export function reasonText(r: EligibilityReason): string {
  if (r.state && !r.message.includes(r.state)) return `${r.message} (${r.state})`;
  return r.message;
}

/** The reasons a refused assignment (409) gives in details.reasons; empty for anything else. */
export function refusalReasons(err: unknown): EligibilityReason[] {
  if (!(err instanceof ApiError) || err.status !== 409) return [];
  const d = err.details as { reasons?: EligibilityReason[] } | undefined;
  return Array.isArray(d?.reasons) ? d.reasons : [];
}

/** One problem in a module file: the line (0 when none is named) and what is wrong. */
export interface SourceProblem {
  line: number;
  message: string;
}

/**
 * Splits a publish or preview error's fields into the problems of the module
 * file (keyed "<slug>.md:<line>" or "<slug>.md"), in line order, and the
 * other fields (such as "change").
 */
export function sourceProblems(fields: FieldErrors): { problems: SourceProblem[]; other: FieldErrors } {
  const problems: SourceProblem[] = [];
  const other: FieldErrors = {};
  for (const [key, message] of Object.entries(fields)) {
    const m = /\.md(?::(\d+))?$/.exec(key);
    if (m) problems.push({ line: m[1] ? Number(m[1]) : 0, message });
    else other[key] = message;
  }
  problems.sort((a, b) => a.line - b.line || a.message.localeCompare(b.message));
  return { problems, other };
}

/** Questions hardest first (lowest percent correct); ones nobody answered go last. */
export function hardestFirst(qs: QuizAnalysis["questions"]): QuizAnalysis["questions"] {
  return [...qs].sort((a, b) => {
    if (!a.answered !== !b.answered) return a.answered ? -1 : 1;
    return a.percent_correct - b.percent_correct || a.question_id.localeCompare(b.question_id);
  });
}

/** A percent as a bar's width: clamped to 0..100, 0 for none. */
export function barPercent(v: number | null | undefined): number {
  if (v === null || v === undefined || Number.isNaN(v)) return 0;
  return Math.min(100, Math.max(0, v));
}

/** A person's display: "Name <email>", or the email alone. */
export function personLabel(u: { email: string; display_name?: string }): string {
  return u.display_name ? `${u.display_name} <${u.email}>` : u.email;
}

/**
 * The agents a supervisor may assign: enrolled in the program, active, not
 * already on its roster; by email. Users not found (not a member of the
 * supervisor's clients) are left out.
 */
export function assignable(enrollments: Enrollment[], roster: RosterAgent[], users: StaffUser[]): StaffUser[] {
  const assigned = new Set(roster.map((a) => a.agent_id));
  const byID = new Map(users.map((u) => [u.id, u]));
  const out: StaffUser[] = [];
  for (const e of enrollments) {
    const u = byID.get(e.user_id);
    if (u && u.active && !assigned.has(u.id)) out.push(u);
  }
  return out.sort((a, b) => a.email.localeCompare(b.email));
}

/**
 * The agents a trainer may enroll in a program: active agents who are
 * members of the program's client and not enrolled yet; by name, then email.
 */
export function enrollable(users: StaffUser[], enrollments: Enrollment[], clientID: string): StaffUser[] {
  const enrolled = new Set(enrollments.map((e) => e.user_id));
  return users
    .filter((u) => u.role === "agent" && u.active && !enrolled.has(u.id) && (u.client_ids ?? []).includes(clientID))
    .sort((a, b) => (a.display_name || a.email).localeCompare(b.display_name || b.email) || a.email.localeCompare(b.email));
}

/** An answer to a question in words: the options' texts, the text typed, or each match as "left → right". */
export function answerText(
  q: PublicQuestion | undefined,
  a: { choices?: string[]; text?: string; texts?: string[]; numbers?: string[]; matches?: Record<string, string> } | undefined,
): string {
  if (!a) return "";
  const item = (list: PublicItem[] | undefined, id: string) => list?.find((o) => o.id === id)?.text ?? id;
  const parts: string[] = [];
  if (a.choices?.length) parts.push(...a.choices.map((id) => item(q?.options, id)));
  if (a.text) parts.push(a.text);
  if (a.texts?.length) parts.push(...a.texts);
  if (a.numbers?.length) parts.push(...a.numbers);
  if (a.matches) {
    for (const [l, r] of Object.entries(a.matches)) parts.push(`${item(q?.lefts, l)} → ${item(q?.rights, r)}`);
  }
  return parts.join("; ");
}

/**
 * The refused items of a bulk request, by id: the API names each as "user_ids[i]" (its index in the
 * request); `sent` is what was sent, in order.
 */
export function itemErrors(fields: Record<string, string>, sent: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, msg] of Object.entries(fields)) {
    const m = /^user_ids\[(\d+)\]$/.exec(key);
    if (m && sent[Number(m[1])] !== undefined) out.set(sent[Number(m[1])], msg);
  }
  return out;
}

/** An agent of the program's client who is not on its queue, with where they stand. */
export interface Candidate {
  user: StaffUser;
  /** Their certification state in the program; null when not enrolled. */
  state: Enrollment["state"] | null;
}

/**
 * The program's client's active agents not on its queue, not enrolled first (they need enrolling before
 * they can be assigned), then by name.
 */
export function candidates(users: StaffUser[], enrollments: Enrollment[], roster: RosterAgent[], clientID: string): Candidate[] {
  const assigned = new Set(roster.map((a) => a.agent_id));
  const state = new Map(enrollments.map((e) => [e.user_id, e.state]));
  return users
    .filter((u) => u.active && u.role === "agent" && (u.client_ids ?? []).includes(clientID) && !assigned.has(u.id))
    .map((u) => ({ user: u, state: state.get(u.id) ?? null }))
    .sort((a, b) => Number(a.state !== null) - Number(b.state !== null) || personLabel(a.user).localeCompare(personLabel(b.user)));
}

/** What would still stop an agent once assigned: the gate's reasons without "not assigned". */
export function blockersOnceAssigned(reasons: EligibilityReason[]): EligibilityReason[] {
  return reasons.filter((r) => r.code !== "not_assigned");
}
