// What an agent should do next, without React: the onboarding plan's dated tasks first (soonest due),
// then what each certification still needs (a refresher first), as one list the home page leads with.
import type { CertificationTodo, MyCertificationRecord } from "../api/learning";
import type { AgentPlan } from "../api/onboarding";
import { daysUntil, formatDate, relativeDay } from "../lib/format";

export type TaskAction = "read" | "continue" | "reread" | "pass" | "play" | "signoff";

export interface Task {
  key: string;
  kind: "module" | "quiz" | "roleplay";
  action: TaskAction;
  title: string;
  programId: string;
  programName: string;
  /** Where the task is done: the module, or the program page with its quizzes and role-plays. */
  to: string;
  /** A calendar day or a time; absent when nothing sets one. */
  due?: string;
  overdue: boolean;
}

export interface Agenda {
  /** The one thing to do now; null when nothing is left. */
  next: Task | null;
  /** Past their due date (the next task excluded). */
  overdue: Task[];
  /** Due within SOON_DAYS (the next task excluded). */
  soon: Task[];
  /** Everything left, in the order it should be done. */
  all: Task[];
}

/** "Due soon" means within this many days. */
export const SOON_DAYS = 7;
/** Certifications expiring within this many days say how soon. */
export const EXPIRY_DAYS = 60;

/** Titles the pages know, by "<program id>|<kind>|<slug>", for tasks whose API row has none. */
export type TitleOf = (programId: string, kind: Task["kind"], slug: string) => string | undefined;

/** The words of a task's button: "Continue this module", "Take this quiz", … */
export const ACTION_LABEL: Record<TaskAction, string> = {
  read: "Read this module",
  continue: "Continue this module",
  reread: "Read what changed",
  pass: "Take this quiz",
  play: "Play this role-play",
  signoff: "Waiting for a supervisor's sign-off",
};

/** The task's kind and what it is, as a short sentence start: "Read", "Quiz", … */
export const KIND_WORD: Record<Task["kind"], string> = { module: "Module", quiz: "Quiz", roleplay: "Role-play" };

function target(kind: Task["kind"], programId: string, id?: string): string {
  return kind === "module" && id ? `/training/${programId}/modules/${id}` : `/training/${programId}`;
}

/**
 * Orders everything an agent has left. Plan tasks come first by due date (then plan position), then each
 * certification's remaining requirements: refreshers before first certifications. A requirement already on
 * the plan is listed once. Sign-offs wait for someone else, so they are never the next task.
 */
export function agenda(plans: AgentPlan[], certs: MyCertificationRecord[], titleOf: TitleOf, now: Date = new Date()): Agenda {
  const programName = new Map(certs.map((c) => [c.program_id, c.program_name]));
  for (const p of plans) for (const t of p.tasks) if (!programName.has(t.program_id)) programName.set(t.program_id, "");
  const all: Task[] = [];
  const seen = new Set<string>();
  const overdue = (due: string | undefined) => (due ? (daysUntil(due, now) ?? 0) < 0 : false);

  const planTasks = plans.flatMap((p) => p.tasks)
    .filter((t) => t.status !== "done")
    .sort((a, b) => a.due_date.localeCompare(b.due_date) || a.position - b.position);
  for (const t of planTasks) {
    const key = `${t.program_id}|${t.kind}|${t.slug}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const action: TaskAction = t.kind === "module" ? (t.status === "in_progress" ? "continue" : "read") : t.kind === "quiz" ? "pass" : "play";
    all.push({
      key, kind: t.kind, action, title: t.title || titleOf(t.program_id, t.kind, t.slug) || t.slug,
      programId: t.program_id, programName: t.program_name || programName.get(t.program_id) || "",
      to: target(t.kind, t.program_id, t.module_id), due: t.due_date, overdue: t.status === "overdue" || overdue(t.due_date),
    });
  }

  const rank = (c: MyCertificationRecord) => (c.state === "refresher_due" ? 0 : c.state === "in_training" ? 1 : 2);
  for (const c of [...certs].sort((a, b) => rank(a) - rank(b))) {
    if (c.state === "revoked") continue;
    for (const todo of c.progress?.left ?? []) {
      const key = `${c.program_id}|${todo.kind}|${todo.slug}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const due = c.state === "refresher_due" ? c.refresher_due_at : undefined;
      all.push({
        key, kind: todo.kind, action: todoAction(todo), title: titleOf(c.program_id, todo.kind, todo.slug) || todo.slug,
        programId: c.program_id, programName: c.program_name, to: target(todo.kind, c.program_id, todo.id), due, overdue: overdue(due),
      });
    }
  }

  // The plan's order stands, but something overdue anywhere comes before what is not.
  const ordered = [...all.filter((t) => t.overdue), ...all.filter((t) => !t.overdue)];
  const next = ordered.find((t) => t.action !== "signoff") ?? null;
  const rest = ordered.filter((t) => t !== next);
  return {
    next,
    overdue: rest.filter((t) => t.overdue),
    soon: rest.filter((t) => {
      if (t.overdue || !t.due) return false;
      const n = daysUntil(t.due, now);
      return n !== null && n <= SOON_DAYS;
    }),
    all: ordered,
  };
}

function todoAction(t: CertificationTodo): TaskAction {
  if (t.action === "signoff") return "signoff";
  if (t.kind === "module") return t.action === "reread" ? "reread" : "read";
  return t.kind === "quiz" ? "pass" : "play";
}

/** Licenses worth the agent's attention: not verified yet, refused, or expiring within `days`. */
export function licensesToWatch<L extends { status: string; expiry_date: string }>(licenses: L[], days: number, now: Date = new Date()): L[] {
  return licenses.filter((l) => {
    if (l.status === "pending" || l.status === "rejected" || l.status === "expired") return true;
    if (l.status !== "verified") return false;
    const n = daysUntil(l.expiry_date, now);
    return n !== null && n <= days;
  });
}

/** A certification's dates in a sentence. */
export function certDates(c: MyCertificationRecord, now: Date = new Date()): string {
  const expiring = (iso?: string) => {
    const n = daysUntil(iso, now);
    return n !== null && n <= EXPIRY_DAYS ? ` (${relativeDay(iso, now)})` : "";
  };
  switch (c.state) {
    case "certified": {
      const opens = c.refresher_opens_at && (daysUntil(c.refresher_opens_at, now) ?? 0) > 0 ? `; the refresher opens ${formatDate(c.refresher_opens_at)}` : "";
      return `Certified ${formatDate(c.certified_at)}; expires ${formatDate(c.expires_at)}${expiring(c.expires_at)}${opens}.`;
    }
    case "refresher_due":
      return `Refresher due by ${formatDate(c.refresher_due_at)}${expiring(c.refresher_due_at)}; expires ${formatDate(c.expires_at)}.`;
    case "expired":
      return `Expired ${formatDate(c.expires_at)}. Take the training again to be certified.`;
    case "revoked":
      return `Revoked ${formatDate(c.revoked_at)}. Ask your supervisor why.`;
    default: {
      const p = c.progress;
      if (!p) return "In training.";
      const done = p.modules.filter((m) => m.status === "done").length + p.quizzes.filter((q) => q.passed).length + p.roleplays.filter((r) => r.passed).length;
      const total = p.modules.length + p.quizzes.length + p.roleplays.length;
      return `${done} of ${total} requirements done.`;
    }
  }
}
