// The staff's side of the API: the content library, quiz and role-play
// analysis (trainers), rosters, assignments and reviews (supervisors),
// license verification and reports (compliance), clients and webhooks
// (admins). See /api/docs.
import { api, query } from "./client";
import type { Schemas } from "./openapi";
import type { Client } from "./types";
import type { ModuleRead, PublicQuestion, QuizSummary, RoleplaySummary, RunResult, Submission } from "./learning";

export interface VersionSummary {
  module_id: string;
  number: number;
  title: string;
  summary: string;
  minutes: number;
  change_kind: "minor" | "material";
  created_at: string;
  published_kind: "user" | "api_key" | "system";
  published_by: string;
}

export interface PreviewResult {
  html: string;
  toc: { level: number; id: string; text: string }[];
  title?: string;
  summary?: string;
  kind?: string;
  minutes?: number;
}

export type ChangeKind = "minor" | "material";

export interface QuizAnalysis {
  quiz_id: string;
  attempts: number;
  questions: {
    question_id: string;
    type?: string;
    text?: string;
    drawn: number;
    answered: number;
    percent_correct: number;
    fully_correct: number;
    most_chosen_wrong: { option_id: string; text?: string; count: number } | null;
  }[];
}

export interface CompetencySummary {
  competency: string;
  exercised: number;
  mean_score: number | null;
  minimum: number | null;
  below_minimum: number;
}

export interface ScenarioSummary {
  roleplay_id: string;
  slug: string;
  title: string;
  runs: number;
  passed: number;
  mean_overall: number | null;
  competencies: CompetencySummary[];
}

export type ReasonCode =
  | "agent_inactive" | "not_assigned" | "not_certified" | "refresher_overdue" | "certification_expired"
  | "certification_revoked" | "license_missing" | "license_unverified" | "license_expired" | "license_line_missing"
  | "appointment_missing" | "appointment_terminated" | "appointment_line_missing" | "state_not_served";

export interface EligibilityReason {
  code: ReasonCode;
  message: string;
  state?: string;
  class?: string;
  line?: string;
}

export interface RosterAgent {
  agent_id: string;
  external_id: string | null;
  email: string;
  display_name: string;
  program_id: string;
  eligible: boolean;
  reasons: EligibilityReason[];
  valid_until: string | null;
  covered_states?: string[];
  assignment_status: "active" | "suspended";
  checked_at: string;
}

export interface Roster {
  program_id: string;
  state?: string;
  checked_at: string;
  agents: RosterAgent[];
}

export type CertState = "in_training" | "certified" | "refresher_due" | "expired" | "revoked";

export interface Enrollment {
  id: string;
  user_id: string;
  program_id: string;
  state: CertState;
  enrolled_at: string;
  certified_at?: string;
  expires_at?: string;
}

/** One attempt at a quiz as staff list them (GET /quizzes/{id}/attempts). */
export interface AttemptRow {
  id: string;
  user_id: string;
  email: string;
  display_name: string;
  number: number;
  quiz_version: number;
  started_at: string;
  deadline: string | null;
  submitted_at: string | null;
  auto_submitted: boolean;
  percent: number | null;
  passed: boolean | null;
}

/** The filters of a quiz's attempt list; empty ones do not filter. */
export interface AttemptFilter {
  user_id?: string;
  state?: "" | "open" | "submitted";
  passed?: "" | "true" | "false";
}

/** A submitted attempt in full, as staff get it: with the questions drawn. */
export interface StaffSubmission extends Submission {
  full?: boolean;
  quiz_title?: string;
  questions?: PublicQuestion[];
}

export interface StaffUser {
  id: string;
  email: string;
  display_name: string;
  role: string;
  active: boolean;
  /** The clients the user is a member of. */
  client_ids?: string[];
}

export interface ReviewItem {
  run_id: string;
  roleplay_id: string;
  slug: string;
  /** The role-play's title (of the version played). */
  title: string;
  version: number;
  client_id: string;
  program_id: string;
  user_id: string;
  user_email: string;
  /** The agent's display name. */
  user_name: string;
  finished_at: string;
  overall: number;
}

export interface RunComment {
  id: string;
  run_id: string;
  turn_index: number;
  author_id: string;
  text: string;
  created_at: string;
}

/** A run's result as a reviewer reads it: the agent's result plus the reviewers' comments. */
export type ReviewedRun = RunResult & { user_id: string; program_id: string; comments: RunComment[] };

/** An agent's certification in one program as staff read it (GET /users/{id}/certifications). */
export interface AgentCertification extends Enrollment {
  program_name: string;
}

/** A license in a compliance report, with its holder and the days left to its expiry. */
export type ReportLicense = Schemas["ReportLicense"];

/** A certified agent whose licenses do not cover a program's states. */
export type LicenseGap = Schemas["LicenseGap"];

export const EVENT_TYPES = ["eligibility.changed", "certification.changed", "license.changed", "appointment.changed"] as const satisfies readonly EventType[];
export type EventType = Schemas["WebhookEventType"];
export type DeliveryStatus = Schemas["WebhookDeliveryStatus"];

export type Webhook = Schemas["Webhook"];
export type WebhookWithSecret = Schemas["WebhookWithSecret"];
export type Delivery = Schemas["WebhookDelivery"];
export type DeliveryDetail = Schemas["WebhookDeliveryDetail"];

export const staff = {
  // Trainers: the library.
  versions: (moduleID: string) => api<{ versions: VersionSummary[] }>(`/modules/${moduleID}/versions`).then((r) => r.versions),
  source: (moduleID: string) => api<ModuleRead & { source: string }>(`/modules/${moduleID}`),
  preview: (moduleID: string, markdown: string) => api<PreviewResult>("/preview", { method: "POST", body: { module_id: moduleID, markdown } }),
  publish: (moduleID: string, markdown: string, change: ChangeKind | "") =>
    api<ModuleRead>(`/modules/${moduleID}/versions`, { method: "POST", body: { markdown, change } }),
  quizzes: (programID: string) => api<{ quizzes: QuizSummary[] }>(`/programs/${programID}/quizzes`).then((r) => r.quizzes),
  analysis: (quizID: string) => api<QuizAnalysis>(`/quizzes/${quizID}/analysis`),
  attempts: (quizID: string, f: AttemptFilter) => api<{ attempts: AttemptRow[] }>(`/quizzes/${quizID}/attempts${query({ ...f })}`).then((r) => r.attempts),
  attemptResult: (attemptID: string) => api<StaffSubmission>(`/attempts/${attemptID}/result`),
  roleplays: (programID: string) => api<{ roleplays: RoleplaySummary[] }>(`/programs/${programID}/roleplays`).then((r) => r.roleplays),
  competencies: (roleplayID: string) => api<ScenarioSummary>(`/roleplays/${roleplayID}/competencies`),
  // Supervisors: rosters, assignments, reviews.
  roster: (programID: string) => api<Roster>(`/programs/${programID}/roster`),
  enrollments: (programID: string) => api<{ enrollments: Enrollment[] }>(`/programs/${programID}/enrollments`).then((r) => r.enrollments),
  enroll: (programID: string, userID: string) => api<Enrollment>(`/programs/${programID}/enrollments`, { method: "POST", body: { user_id: userID } }),
  withdraw: (programID: string, userID: string) => api(`/programs/${programID}/enrollments/${userID}`, { method: "DELETE" }),
  /** Every user of a role the signed-in user may see, page by page. */
  users: async (role: string) => {
    const out: StaffUser[] = [];
    let after = "";
    do {
      const page = await api<{ users: StaffUser[]; next: string }>(`/users${query({ role, limit: 500, after })}`);
      out.push(...page.users);
      after = page.next;
    } while (after);
    return out;
  },
  assign: (programID: string, userID: string) => api(`/programs/${programID}/assignments`, { method: "POST", body: { user_id: userID } }),
  unassign: (programID: string, userID: string) => api(`/programs/${programID}/assignments/${userID}`, { method: "DELETE" }),
  reviews: () => api<{ reviews: ReviewItem[] }>("/reviews").then((r) => r.reviews),
  run: (runID: string) => api<ReviewedRun>(`/runs/${runID}/result`),
  person: (userID: string) => api<StaffUser>(`/users/${userID}`),
  certifications: (userID: string) => api<{ certifications: AgentCertification[] }>(`/users/${userID}/certifications`).then((r) => r.certifications),
  comment: (runID: string, turnIndex: number, text: string) =>
    api<RunComment>(`/runs/${runID}/comments`, { method: "POST", body: { turn_index: turnIndex, text } }),
  review: (runID: string, decision: "approve" | "send_back", note: string) =>
    api<ReviewedRun>(`/runs/${runID}/review`, { method: "POST", body: { decision, ...(note ? { note } : {}) } }),
  // Compliance: licenses.
  licenseQueue: () => api<{ licenses: ReportLicense[] }>("/reports/license-queue").then((r) => r.licenses),
  expiring: (days: 30 | 60 | 90) => api<{ licenses: ReportLicense[] }>(`/reports/licenses-expiring?days=${days}`).then((r) => r.licenses),
  gaps: () => api<{ gaps: LicenseGap[] }>("/reports/license-gaps").then((r) => r.gaps),
  verify: (id: string, note: string) => api(`/licenses/${id}/verify`, { method: "POST", body: note ? { note } : {} }),
  reject: (id: string, note: string) => api(`/licenses/${id}/reject`, { method: "POST", body: { note } }),
  // Admins: clients and webhooks.
  createClient: (c: { slug: string; name: string; industry: string; description: string }) => api<Client>("/clients", { method: "POST", body: c }),
  updateClient: (id: string, c: { name: string; industry: string; description: string }) => api<Client>(`/clients/${id}`, { method: "PATCH", body: c }),
  webhooks: () => api<{ webhooks: Webhook[] }>("/webhooks").then((r) => r.webhooks),
  webhook: (id: string) => api<Webhook>(`/webhooks/${id}`),
  createWebhook: (w: { url: string; event_types: EventType[]; description: string; active: boolean }) =>
    api<WebhookWithSecret>("/webhooks", { method: "POST", body: w }),
  updateWebhook: (id: string, w: Partial<{ url: string; event_types: EventType[]; description: string; active: boolean }>) =>
    api<Webhook>(`/webhooks/${id}`, { method: "PATCH", body: w }),
  deleteWebhook: (id: string) => api(`/webhooks/${id}`, { method: "DELETE" }),
  rotateSecret: (id: string) => api<WebhookWithSecret>(`/webhooks/${id}/rotate-secret`, { method: "POST" }),
  ping: (id: string) => api<DeliveryDetail>(`/webhooks/${id}/ping`, { method: "POST" }),
  deliveries: (id: string, status?: DeliveryStatus) => api<{ deliveries: Delivery[] }>(`/webhooks/${id}/deliveries${query({ status, limit: 100 })}`).then((r) => r.deliveries),
  delivery: (id: string) => api<DeliveryDetail>(`/webhook-deliveries/${id}`),
  replayDelivery: (id: string) => api<DeliveryDetail>(`/webhook-deliveries/${id}/replay`, { method: "POST" }),
};
