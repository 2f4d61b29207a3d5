// "My certifications": the one place the page reads its data from: the state and
// dates from GET /me/certifications, and each program's standing (plan order,
// titles, what is left) from the agent's training queries.
import { useQueries, useQuery } from "@tanstack/react-query";
import { learning, type MyCertificationRecord, type Program } from "../api/learning";
import { keys } from "./hooks";
import { standing, type Step } from "./plan";

export interface MyCertification {
  program: Program;
  state: MyCertificationRecord["state"];
  /** The server's record with its dates; absent while the enrollment is not recorded. */
  record?: MyCertificationRecord;
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
  const records = useQuery({ queryKey: ["my-certifications"], queryFn: learning.myCertifications, staleTime: 0 });
  const ids = programs.data?.map((p) => p.id) ?? [];
  const details = useQueries({
    queries: ids.flatMap((id) => [
      { queryKey: keys.program(id), queryFn: () => learning.program(id) },
      { queryKey: keys.progress(id), queryFn: () => learning.progress(id) },
      { queryKey: keys.quizzes(id), queryFn: () => learning.quizzes(id) },
      { queryKey: keys.roleplays(id), queryFn: () => learning.roleplays(id) },
    ]),
  });
  const error = programs.error ?? records.error ?? details.find((d) => d.error)?.error ?? null;
  const ready = programs.isSuccess && records.isSuccess && details.every((d) => d.isSuccess);
  let data: MyCertification[] | undefined;
  if (ready) {
    data = programs.data!.map((p, i) => {
      const [program, progress, quizzes, roleplays] = details.slice(i * 4, i * 4 + 4).map((d) => d.data) as [
        Awaited<ReturnType<typeof learning.program>>, Awaited<ReturnType<typeof learning.progress>>,
        Awaited<ReturnType<typeof learning.quizzes>>, Awaited<ReturnType<typeof learning.roleplays>>,
      ];
      const s = standing(program, progress.modules, quizzes, roleplays);
      const record = records.data!.find((r) => r.program_id === p.id);
      return {
        program: p, state: record?.state ?? "in_training", record, done: s.done, total: s.total,
        left: s.steps.filter((x) => !x.done), changed: s.steps.filter((x) => x.outdated),
        licensesNeeded: program.requirements.licenses,
      };
    });
  }
  return { data, error, isPending: !ready && !error };
}
