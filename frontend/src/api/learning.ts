// The agent's side of the API: programs and reading progress, modules,
// quizzes and attempts, role-play runs and licenses (see /api/docs).
import { api, query } from "./client";
import type { Ok, Schemas } from "./openapi";

/** The named schemas of the API document (/api/docs), under the names the pages use. */
export type Program = Schemas["Program"];

export type ProgramDetail = Schemas["ProgramDetail"];

/** A module a program requires (ProgramDetail.requirements.modules). */
export type RequiredModule = Schemas["Requirements"]["modules"][number];

export type ModuleKind = RequiredModule["kind"];

/** One dated step of a program's onboarding plan. */
export type OnboardingStep = Schemas["Requirements"]["onboarding"][number];

export type ProgramProgress = Schemas["ProgramProgress"];

/** The signed-in agent's reading of one module of a program. */
export type ModuleProgress = ProgramProgress["modules"][number];

export type ModuleStatus = ModuleProgress["status"];

export type TOCEntry = Schemas["TOCEntry"];

export type ModuleRead = Schemas["ModuleRead"];

export type VersionDiff = Schemas["VersionDiff"];

export type DiffLine = VersionDiff["hunks"][number]["lines"][number];

export type QuizSummary = Schemas["QuizSummary"];

/** A gated quiz opens once every one of these modules is completed. */
export type QuizGate = Schemas["QuizGate"];

export type PublicItem = Schemas["PublicItem"];

export type PublicQuestion = Schemas["PublicQuestion"];

export type QuestionType = PublicQuestion["type"];

/** A gap of a cloze question: its kind and a choice gap's options, never which is right. */
export type PublicGap = Schemas["PublicGap"];

/** An answer to one question: choices (option ids), text, matches (left id → right id), or gaps (gap id → text, number or option id). */
export type QuizAnswer = Schemas["QuizResponse"];

export type Answers = Record<string, QuizAnswer>;

export type Attempt = Schemas["AttemptView"];

/** What a save of answers kept; rejected names the answers it did not keep, by question id, with the reason. */
export type SaveResult = Ok<"/api/v1/attempts/{id}/answers", "put">;

export type QuestionResult = Schemas["QuestionResult"];

/** A cloze question's gap in a result, with its mark (and correct answer and feedback as the review policy allows). */
export type GapResult = NonNullable<QuestionResult["gaps"]>[number];

export type Submission = Schemas["Submission"];

/** A role-play of a program, with the agent's runs (GET /programs/{id}/roleplays). */
export type RoleplaySummary = Schemas["ProgramRoleplay"];

export type RunState = Schemas["RunState"];

export type RunLine = Schemas["RunLine"];

export type RunView = Schemas["RunView"];

export type RunResult = Schemas["RunResult"];

export type CertificationState = Schemas["Certification"]["state"];

/** One thing left toward a certification (GET /me/certifications, progress.left). */
export type CertificationTodo = Schemas["CertificationProgress"]["left"][number];

/** The signed-in agent's certification in one program, with its dates and progress (GET /me/certifications). */
export type MyCertificationRecord = Schemas["CertificationViewList"]["certifications"][number];

export type LicenseStatus = Schemas["License"]["status"];

export type License = Schemas["License"];

export type LicenseEvent = Schemas["LicenseEvent"];

export type LicenseSubmission = Schemas["LicenseSubmission"];

export const learning = {
  programs: () => api<{ programs: Program[] }>("/programs").then((r) => r.programs),
  program: (id: string) => api<ProgramDetail>(`/programs/${id}`),
  progress: (id: string) => api<ProgramProgress>(`/programs/${id}/progress`),
  module: (id: string) => api<ModuleRead>(`/modules/${id}`),
  diff: (id: string, from: number, to?: number) => api<VersionDiff>(`/modules/${id}/diff${query({ from, to })}`),
  openModule: (id: string) => api(`/modules/${id}/open`, { method: "POST" }),
  completeModule: (id: string, version: number) => api(`/modules/${id}/complete`, { method: "POST", body: { version } }),
  quizzes: (programID: string) => api<{ quizzes: QuizSummary[] }>(`/programs/${programID}/quizzes`).then((r) => r.quizzes),
  startAttempt: (quizID: string) => api<Attempt>(`/quizzes/${quizID}/attempts`, { method: "POST" }),
  attempt: (id: string) => api<Attempt>(`/attempts/${id}`),
  saveAnswers: (id: string, seq: number, answers: Answers) => api<SaveResult>(`/attempts/${id}/answers`, { method: "PUT", body: { seq, answers } }),
  submitAttempt: (id: string) => api<Submission>(`/attempts/${id}/submit`, { method: "POST" }),
  result: (id: string) => api<Submission>(`/attempts/${id}/result`),
  /** A program's role-plays with the signed-in user's attempts. */
  roleplays: (programID: string): Promise<RoleplaySummary[] | null> =>
    api<{ roleplays: RoleplaySummary[] }>(`/programs/${programID}/roleplays`).then((r) => r.roleplays),
  startRun: (roleplayID: string) => api<RunView>(`/roleplays/${roleplayID}/runs`, { method: "POST" }),
  run: (id: string) => api<RunView>(`/runs/${id}`),
  takeTurn: (id: string, body: { seq: number; turn_id: string; option_id?: string; text?: string }) =>
    api<RunView>(`/runs/${id}/turns`, { method: "POST", body }),
  runResult: (id: string) => api<RunResult>(`/runs/${id}/result`),
  myCertifications: () => api<{ certifications: MyCertificationRecord[] }>("/me/certifications").then((r) => r.certifications),
  licenses: () => api<{ licenses: License[] }>("/licenses").then((r) => r.licenses),
  submitLicense: (l: LicenseSubmission) => api<License>("/licenses", { method: "POST", body: l }),
  licenseHistory: (id: string) => api<{ events: LicenseEvent[] }>(`/licenses/${id}/history`).then((r) => r.events),
};
