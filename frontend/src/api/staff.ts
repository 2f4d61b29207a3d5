// The staff's side of the API: the content library, quiz and role-play
// analysis (trainers), rosters, assignments and reviews (supervisors),
// license verification and reports (compliance), clients and webhooks
// (admins). See /api/docs.
import { api, downloadFile, query } from "./client";
import type { Ok, RequestBody, Schemas } from "./openapi";
import type { Client, User } from "./types";
import type { License, ModuleRead, QuizSummary, RoleplaySummary, RunResult, Submission } from "./learning";

/** A published version of a module, without its text (GET /modules/{id}/versions). */
export type VersionSummary = Schemas["VersionSummary"];

export type ChangeKind = VersionSummary["change_kind"];

export type PreviewResult = Schemas["PreviewResult"];

export type QuizAnalysis = Schemas["QuizAnalysis"];

/** A scenario's runs and per-competency scores (GET /roleplays/{id}/competencies). */
export type ScenarioSummary = Ok<"/api/v1/roleplays/{id}/competencies", "get">;

export type CompetencySummary = ScenarioSummary["competencies"][number];

export type EligibilityReason = Schemas["EligibilityReason"];

export type ReasonCode = EligibilityReason["code"];

/** A program's roster: every assigned agent with the eligibility answer (GET /programs/{id}/roster). */
export type Roster = Ok<"/api/v1/programs/{id}/roster", "get">;

export type RosterAgent = Roster["agents"][number];

export type CertState = Schemas["Certification"]["state"];

/** An agent's certification record in a program (GET /programs/{id}/enrollments). */
export type Enrollment = Schemas["Certification"];

/** A client's question bank (GET /clients/{id}/banks). */
export type BankSummary = Schemas["BankSummary"];

/** What uploading a bank file does or did (POST /clients/{id}/banks/{bank}/import). */
export type BankImportReport = Schemas["BankImportReport"];

/** The formats a bank file is uploaded in. */
export type BankFormat = "gift" | "moodle-xml" | "aiken";

/** One attempt at a quiz as staff list them (GET /quizzes/{id}/attempts). */
export type AttemptRow = Schemas["AttemptRow"];

/** The filters of a quiz's attempt list; empty ones do not filter. */
export interface AttemptFilter {
  user_id?: string;
  state?: "" | "open" | "submitted";
  passed?: "" | "true" | "false";
}

/** A submitted attempt in full, as staff get it: with the questions drawn (full, quiz_title, questions). */
export type StaffSubmission = Submission;

export type StaffUser = User;

/** A finished run waiting for a reviewer's sign-off (GET /reviews). */
export type ReviewItem = Ok<"/api/v1/reviews", "get">["reviews"][number];

export type RunComment = Schemas["RunComment"];

/** A run's result as a reviewer reads it: the agent's result with the reviewers' comments. */
export type ReviewedRun = RunResult;

/** An agent's certification in one program as staff read it (GET /users/{id}/certifications). */
export type AgentCertification = Schemas["CertificationViewList"]["certifications"][number];
/** One transition of a certification (GET /certifications/{id}/history). */
export type CertificationEvent = Schemas["CertificationEvent"];
/** What revoking or reinstating a certification, or revoking a license, sends. */
export type ReasonBody = RequestBody<"/api/v1/certifications/{id}/revoke", "post">;

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
  // Trainers: question banks.
  banks: (clientID: string) => api<{ banks: BankSummary[] }>(`/clients/${clientID}/banks`).then((r) => r.banks),
  importBank: (clientID: string, bank: string, format: BankFormat, fileName: string, text: string, apply: boolean) =>
    api<BankImportReport>(`/clients/${clientID}/banks/${encodeURIComponent(bank)}/import${query({ format, file: fileName, apply })}`, { method: "POST", body: text }),
  exportBank: (clientID: string, bank: string, format: "gift" | "moodle-xml") =>
    downloadFile(`/clients/${clientID}/banks/${encodeURIComponent(bank)}/export${query({ format })}`, `${bank}.${format === "gift" ? "gift" : "xml"}`, format === "gift" ? "text/plain" : "application/xml"),
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
  enrollMany: (programID: string, userIDs: string[]) =>
    api<{ enrollments: Enrollment[] }>(`/programs/${programID}/enrollments/bulk`, { method: "POST", body: { user_ids: userIDs } }).then((r) => r.enrollments),
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
  /** The gate's answers for agents and a program (any caller state): one batch request. */
  eligibility: (programID: string, agentIDs: string[]) =>
    api<{ results: { answer?: { agent_id: string; eligible: boolean; reasons: EligibilityReason[] }; error?: { code: string; message: string } }[] }>(
      "/eligibility/batch", { method: "POST", body: { checks: agentIDs.map((agent) => ({ agent, program: programID })) } },
    ).then((r) => r.results),
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
  // Compliance and admins: revoking and reinstating certifications, revoking licenses.
  certificationHistory: (id: string) => api<Ok<"/api/v1/certifications/{id}/history", "get">>(`/certifications/${id}/history`),
  revokeCertification: (id: string, body: ReasonBody) => api<Enrollment>(`/certifications/${id}/revoke`, { method: "POST", body }),
  reinstateCertification: (id: string, body: ReasonBody) => api<Enrollment>(`/certifications/${id}/reinstate`, { method: "POST", body }),
  userLicenses: (userID: string) => api<Ok<"/api/v1/licenses", "get">>(`/licenses${query({ user_id: userID })}`).then((r) => r.licenses),
  revokeLicense: (id: string, body: ReasonBody) => api<License>(`/licenses/${id}/revoke`, { method: "POST", body }),
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
