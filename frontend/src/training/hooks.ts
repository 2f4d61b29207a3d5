// Queries for the agent's pages, keyed so that a change (a module completed,
// a quiz submitted, a run finished) can refresh what depends on it.
import { useQuery } from "@tanstack/react-query";
import { learning } from "../api/learning";
import { standing } from "./plan";

export const keys = {
  programs: ["programs"] as const,
  program: (id: string) => ["program", id] as const,
  progress: (id: string) => ["progress", id] as const,
  quizzes: (id: string) => ["quizzes", id] as const,
  roleplays: (id: string) => ["roleplays", id] as const,
  module: (id: string) => ["module", id] as const,
  licenses: ["licenses"] as const,
};

export function usePrograms(enabled = true) {
  return useQuery({ queryKey: keys.programs, queryFn: learning.programs, enabled });
}

export function useProgram(id: string) {
  return useQuery({ queryKey: keys.program(id), queryFn: () => learning.program(id) });
}

/** Everything about one program the agent's pages show, and the standing derived from it. */
export function useProgramStanding(id: string) {
  const program = useProgram(id);
  const progress = useQuery({ queryKey: keys.progress(id), queryFn: () => learning.progress(id), staleTime: 0 });
  const quizzes = useQuery({ queryKey: keys.quizzes(id), queryFn: () => learning.quizzes(id), staleTime: 0 });
  const roleplays = useQuery({ queryKey: keys.roleplays(id), queryFn: () => learning.roleplays(id), staleTime: 0 });
  const all = [program, progress, quizzes, roleplays];
  const error = all.find((q) => q.error)?.error ?? null;
  const ready = program.data && progress.data && quizzes.data && roleplays.isSuccess;
  return {
    program: program.data,
    progress: progress.data,
    quizzes: quizzes.data,
    roleplays: roleplays.data ?? null,
    standing: ready ? standing(program.data!, progress.data!.modules, quizzes.data!, roleplays.data ?? null) : null,
    isPending: !ready && !error,
    error,
  };
}
