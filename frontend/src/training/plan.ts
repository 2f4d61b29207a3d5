// An agent's standing in a program, from what the API says today: reading
// progress, quizzes and role-plays. "What is next" follows the onboarding plan.
import type { ModuleProgress, ProgramDetail, QuizSummary, RoleplaySummary } from "../api/learning";

export interface Step {
  day: number | null;
  kind: "module" | "quiz" | "roleplay";
  slug: string;
  title: string;
  done: boolean;
  /** A module completed at an older version with a material change since. */
  outdated?: boolean;
  /** The id to open: module id, quiz id or role-play id (when known). */
  id?: string;
}

export interface Standing {
  steps: Step[];
  done: number;
  total: number;
  next: Step | null;
}

/**
 * Lists every requirement of a program in onboarding-plan order (requirements
 * the plan leaves out follow, in the program's order) and marks what is done:
 * a module completed at a version with no material change since, a quiz
 * passed, a role-play passed.
 */
export function standing(
  program: ProgramDetail,
  modules: ModuleProgress[],
  quizzes: QuizSummary[],
  roleplays: RoleplaySummary[] | null,
): Standing {
  const byModule = new Map(modules.map((m) => [m.module_id, m]));
  const quizBySlug = new Map(quizzes.map((q) => [q.slug, q]));
  const rpBySlug = new Map((roleplays ?? []).map((r) => [r.slug, r]));
  const steps: Step[] = [];
  const seen = new Set<string>();
  const moduleStep = (day: number | null, id: string, slug: string) => {
    const req = program.requirements.modules.find((m) => m.module_id === id);
    const p = byModule.get(id);
    steps.push({
      day, kind: "module", slug, id, title: p?.title ?? req?.title ?? slug,
      done: p?.status === "completed", outdated: p?.status === "outdated",
    });
  };
  const quizStep = (day: number | null, slug: string) => {
    const q = quizBySlug.get(slug);
    steps.push({ day, kind: "quiz", slug, id: q?.id, title: q?.title ?? slug, done: !!q?.my_attempts?.passed });
  };
  const rpStep = (day: number | null, slug: string) => {
    const r = rpBySlug.get(slug);
    steps.push({ day, kind: "roleplay", slug, id: r?.id, title: r?.title ?? slug, done: !!r?.passed });
  };
  const modBySlug = (slug: string) => program.requirements.modules.find((m) => (m.core ? `core/${m.slug}` : m.slug) === slug || m.slug === slug);

  for (const o of [...program.requirements.onboarding].sort((a, b) => a.day - b.day)) {
    if (o.kind === "module") {
      const id = o.module_id ?? modBySlug(o.slug)?.module_id;
      if (!id || seen.has(`m:${id}`)) continue;
      seen.add(`m:${id}`);
      moduleStep(o.day, id, o.slug);
    } else if (o.kind === "quiz") {
      if (seen.has(`q:${o.slug}`)) continue;
      seen.add(`q:${o.slug}`);
      quizStep(o.day, o.slug);
    } else {
      if (seen.has(`r:${o.slug}`)) continue;
      seen.add(`r:${o.slug}`);
      rpStep(o.day, o.slug);
    }
  }
  for (const m of program.requirements.modules) {
    if (!seen.has(`m:${m.module_id}`)) moduleStep(null, m.module_id, m.slug);
  }
  for (const q of program.requirements.quizzes) if (!seen.has(`q:${q}`)) quizStep(null, q);
  for (const r of program.requirements.roleplays) if (!seen.has(`r:${r.slug}`)) rpStep(null, r.slug);

  const done = steps.filter((s) => s.done).length;
  return { steps, done, total: steps.length, next: steps.find((s) => !s.done) ?? null };
}
