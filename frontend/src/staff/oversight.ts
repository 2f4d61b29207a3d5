// Reading a certification's history for people: what each transition was, who
// made it, and the note given with a revoke or reinstate.
import type { Schemas } from "../api/openapi";
import { personLabel } from "./logic";

export type CertificationEvent = Schemas["CertificationEvent"];

const STATES: Record<string, string> = {
  "": "not enrolled",
  in_training: "in training",
  certified: "certified",
  refresher_due: "refresher due",
  expired: "expired",
  revoked: "revoked",
};

const REASONS: Record<CertificationEvent["reason"], string> = {
  requirements_met: "Requirements met",
  material_change: "Material change to a module",
  refresher_window: "Refresher window opened",
  refresher_completed: "Refresher completed",
  renewed: "Renewed",
  expired: "Expired",
  revoked: "Revoked",
  reinstated: "Reinstated",
};

/** A state as people read it ("refresher_due" → "refresher due"). */
export function stateWords(s: string): string {
  return STATES[s] ?? s.replace(/_/g, " ");
}

/** What an event did: "Revoked: certified → revoked". Enrollment (no from state) reads "Enrolled: in training". */
export function eventWhat(e: Pick<CertificationEvent, "from" | "to" | "reason">): string {
  if (!e.from) return `Enrolled: ${stateWords(e.to)}`;
  const label = REASONS[e.reason] ?? e.reason.replace(/_/g, " ");
  return `${label}: ${stateWords(e.from)} → ${stateWords(e.to)}`;
}

/** The note a revoke or reinstate carries in details.note; "" when none. */
export function eventNote(e: { details?: unknown }): string {
  const note = (e.details as { note?: unknown } | undefined)?.note;
  return typeof note === "string" ? note : "";
}

/**
 * Who made a change, by name when the caller may see that user; otherwise what
 * kind of actor it was (a user outside the caller's clients, an API key, the
 * server's own rules).
 */
export function actorLabel(e: Pick<CertificationEvent, "actor_kind" | "actor_id">, people: Record<string, { email: string; display_name?: string } | undefined>): string {
  if (e.actor_kind === "user") {
    const p = people[e.actor_id];
    return p ? personLabel(p) : "A staff member";
  }
  if (e.actor_kind === "api_key") return "An API key";
  return "Skillgate (automatic)";
}
