// Cohorts of new hires, their dated onboarding tasks and the trainers'
// reports (see /api/docs, tag onboarding).
import { api } from "./client";
import type { Ok, RequestBody, Schemas } from "./openapi";

export type TaskKind = Schemas["OnboardingTask"]["kind"];
export type TaskStatus = Schemas["OnboardingTask"]["status"];
export type MemberStatus = Schemas["AgentPlan"]["status"];
/** Where plan days count from: the cohort's start for everyone, or each member's own join date. */
export type DueFrom = Schemas["Cohort"]["due_from"];

export type Cohort = Schemas["Cohort"];
export type NewCohort = RequestBody<"/api/v1/cohorts", "post">;
export type OnboardingTask = Schemas["OnboardingTask"];
export type AgentPlan = Schemas["AgentPlan"];
export type CohortMatrix = Schemas["CohortMatrix"];
export type MatrixColumn = CohortMatrix["columns"][number];
export type MatrixRow = CohortMatrix["rows"][number];
export type CohortStats = Ok<"/api/v1/cohorts/{id}/stats", "get">;
export type AtRiskAgent = Ok<"/api/v1/cohorts/{id}/at-risk", "get">["agents"][number];

export type PlanChanges = Schemas["PlanChanges"];
export type PlanChange = PlanChanges["changes"][number];

export const onboarding = {
  cohorts: () => api<{ cohorts: Cohort[] }>("/cohorts").then((r) => r.cohorts),
  cohort: (id: string) => api<Cohort>(`/cohorts/${id}`),
  create: (c: NewCohort) => api<Cohort>("/cohorts", { method: "POST", body: c }),
  setCalendar: (id: string, c: { days_off?: string[]; working_days?: string[]; skip_weekends?: boolean; due_from?: DueFrom }) =>
    api<Cohort>(`/cohorts/${id}/calendar`, { method: "PUT", body: c }),
  addMember: (id: string, userID: string) => api<Cohort>(`/cohorts/${id}/members`, { method: "POST", body: { user_id: userID } }),
  removeMember: (id: string, userID: string) => api(`/cohorts/${id}/members/${userID}`, { method: "DELETE" }),
  progress: (id: string) => api<CohortMatrix>(`/cohorts/${id}/progress`),
  stats: (id: string) => api<CohortStats>(`/cohorts/${id}/stats`),
  atRisk: (id: string) => api<{ agents: AtRiskAgent[] }>(`/cohorts/${id}/at-risk`).then((r) => r.agents),
  planChanges: (id: string) => api<PlanChanges>(`/cohorts/${id}/plan-changes`),
  applyPlan: (id: string, fingerprint: string) => api<PlanChanges>(`/cohorts/${id}/plan-changes/apply`, { method: "POST", body: { fingerprint } }),
  mine: () => api<{ plans: AgentPlan[] }>("/me/onboarding").then((r) => r.plans),
};
