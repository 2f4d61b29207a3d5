// "My certifications": the one place the page reads its data from. Today it is
// derived from the programs the agent is enrolled in and their standing (every
// enrolled program is in training until certification is decided on the
// server); when GET /api/v1/me/certifications arrives, only this module changes.
import { useQueries, useQuery } from "@tanstack/react-query";
import { learning, type Program } from "../api/learning";
import { keys } from "./hooks";
import { standing, type Step } from "./plan";

export interface MyCertification {
  program: Program;
  /** in_training until the server's certification state is available here. */
  state: "in_training" | "certified" | "refresher_due" | "expired" | "revoked";
  done: number;
  total: number;
  /** What is left to do, in plan order. */
  left: Step[];
  /** Modules with a material change since the version read. */
  changed: Step[];
  licensesNeeded: { class: string; lines: string[]; states: string[] }[];
}

export function useMyCertifications() {
  const programs = useQuery({ queryKey: keys.programs, queryFn: learning.programs });
  const ids = programs.data?.map((p) => p.id) ?? [];
  const details = useQueries({
    queries: ids.flatMap((id) => [
      { queryKey: keys.program(id), queryFn: () => learning.program(id) },
      { queryKey: keys.progress(id), queryFn: () => learning.progress(id) },
      { queryKey: keys.quizzes(id), queryFn: () => learning.quizzes(id) },
      { queryKey: keys.roleplays(id), queryFn: () => learning.roleplays(id) },
    ]),
  });
  const error = programs.error ?? details.find((d) => d.error)?.error ?? null;
  const ready = programs.isSuccess && details.every((d) => d.isSuccess);
  let data: MyCertification[] | undefined;
  if (ready) {
    data = programs.data!.map((p, i) => {
      const [program, progress, quizzes, roleplays] = details.slice(i * 4, i * 4 + 4).map((d) => d.data) as [
        Awaited<ReturnType<typeof learning.program>>, Awaited<ReturnType<typeof learning.progress>>,
        Awaited<ReturnType<typeof learning.quizzes>>, Awaited<ReturnType<typeof learning.roleplays>>,
      ];
      const s = standing(program, progress.modules, quizzes, roleplays);
      return {
        program: p, state: "in_training", done: s.done, total: s.total,
        left: s.steps.filter((x) => !x.done), changed: s.steps.filter((x) => x.outdated),
        licensesNeeded: program.requirements.licenses,
      };
    });
  }
  return { data, error, isPending: !ready && !error };
}
