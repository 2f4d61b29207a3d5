// Cohorts of new hires, their dated onboarding tasks and the trainers'
// reports (see /api/docs, tag onboarding).
import { api } from "./client";

export type TaskKind = "module" | "quiz" | "roleplay";
export type TaskStatus = "not_started" | "in_progress" | "done" | "overdue";
export type MemberStatus = "on_track" | "behind";

export interface Cohort {
  id: string;
  name: string;
  start_date: string;
  trainer_id: string;
  trainer?: { user_id: string; email: string; display_name: string } | null;
  skip_weekends: boolean;
  client_ids: string[];
  programs: { program_id: string; name: string; client_id: string }[];
  members: { user_id: string; email: string; display_name: string; added_at: string }[];
  days_off: string[];
  working_days: string[];
  created_at?: string;
}

export interface NewCohort {
  name: string;
  start_date: string;
  trainer_id: string;
  program_ids: string[];
  skip_weekends?: boolean;
}

export interface OnboardingTask {
  id: string;
  cohort_id: string;
  program_id: string;
  position: number;
  day: number;
  kind: TaskKind;
  slug: string;
  /** Shown when the API gives it; the module's title or the slug otherwise. */
  title?: string;
  module_id?: string;
  due_date: string;
  status: TaskStatus;
  action: "read" | "pass" | "play";
}

export interface AgentPlan {
  cohort_id: string;
  cohort_name: string;
  user_id: string;
  email: string;
  status: MemberStatus;
  done: number;
  overdue: number;
  tasks: OnboardingTask[];
}

export interface MatrixColumn { program_id: string; program: string; kind: TaskKind; slug: string; day: number; due_date: string }
export interface MatrixRow {
  user_id: string;
  email: string;
  status: MemberStatus;
  done: number;
  overdue: number;
  cells: { task_id?: string; status: TaskStatus | "" }[];
}
export interface CohortMatrix { cohort_id: string; name: string; as_of: string; columns: MatrixColumn[]; rows: MatrixRow[] }

export interface CohortStats {
  cohort_id: string;
  quizzes: { program_id: string; quiz: string; members: number; attempted: number; passed: number; pass_rate: number | null; average_attempts: number | null }[];
  competencies: { program_id: string; roleplay: string; competency: string; average: number; runs: number }[];
}

export interface AtRiskAgent { user_id: string; email: string; status: MemberStatus; overdue: number; reasons: string[] }

export const onboarding = {
  cohorts: () => api<{ cohorts: Cohort[] }>("/cohorts").then((r) => r.cohorts),
  cohort: (id: string) => api<Cohort>(`/cohorts/${id}`),
  create: (c: NewCohort) => api<Cohort>("/cohorts", { method: "POST", body: c }),
  addMember: (id: string, userID: string) => api<Cohort>(`/cohorts/${id}/members`, { method: "POST", body: { user_id: userID } }),
  removeMember: (id: string, userID: string) => api(`/cohorts/${id}/members/${userID}`, { method: "DELETE" }),
  progress: (id: string) => api<CohortMatrix>(`/cohorts/${id}/progress`),
  stats: (id: string) => api<CohortStats>(`/cohorts/${id}/stats`),
  atRisk: (id: string) => api<{ agents: AtRiskAgent[] }>(`/cohorts/${id}/at-risk`).then((r) => r.agents),
  mine: () => api<{ plans: AgentPlan[] }>("/me/onboarding").then((r) => r.plans),
};
