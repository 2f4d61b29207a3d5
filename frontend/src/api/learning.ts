// The agent's side of the API: programs and reading progress, modules,
// quizzes and attempts, role-play runs and licenses (see /api/docs).
import { api, query } from "./client";
import type { Schemas } from "./openapi";

export type ModuleKind = "product" | "sales-message" | "procedure" | "policy" | "core-skill";

export interface Program {
  id: string;
  client_id: string;
  slug: string;
  name: string;
  channels: string[];
  description: string;
  valid_days: number;
  refresher_window_days: number;
  material_change_grace_days: number;
}

export interface RequiredModule {
  module_id: string;
  slug: string;
  core: boolean;
  current_version: number;
  kind: ModuleKind;
  title: string;
  minutes: number;
}

export interface OnboardingStep {
  day: number;
  kind: "module" | "quiz" | "roleplay";
  slug: string;
  module_id?: string;
}

export interface ProgramDetail extends Program {
  requirements: {
    modules: RequiredModule[];
    quizzes: string[];
    roleplays: { slug: string; signoff: boolean }[];
    licenses: { class: string; lines: string[]; states: string[] }[];
    onboarding: OnboardingStep[];
    certification: { valid_days: number; refresher_window_days: number; material_change_grace_days: number };
  };
}

export type ModuleStatus = "not_started" | "opened" | "completed" | "outdated";

export interface ModuleProgress {
  module_id: string;
  slug: string;
  title: string;
  kind: string;
  core: boolean;
  minutes: number;
  current_version: number;
  status: ModuleStatus;
  opened_version: number | null;
  completed_version: number | null;
  completed_at: string | null;
  newer_material: boolean;
}

export interface ProgramProgress {
  program_id: string;
  completed: number;
  total: number;
  modules: ModuleProgress[];
}

export interface TOCEntry {
  level: number;
  id: string;
  text: string;
}

export interface ModuleRead {
  id: string;
  client_id: string | null;
  slug: string;
  kind: ModuleKind;
  core: boolean;
  version: {
    number: number;
    title: string;
    summary: string;
    minutes: number;
    change_kind: "minor" | "material";
    created_at: string;
    html: string;
    toc: TOCEntry[];
  };
}

export interface DiffLine {
  op: "context" | "add" | "del";
  text: string;
  old?: number;
  new?: number;
}

export interface VersionDiff {
  module_id: string;
  from: number;
  to: number;
  hunks: { old_start: number; old_lines: number; new_start: number; new_lines: number; lines: DiffLine[] }[];
  added: number;
  removed: number;
}

export interface QuizSummary {
  id: string;
  program_id: string;
  slug: string;
  title: string;
  version: number;
  pass_percent: number;
  questions: number;
  time_limit_seconds: number;
  attempts_allowed: number;
  wait_between_attempts_seconds: number;
  grading: "highest" | "last";
  review: "score" | "answers" | "correct" | "feedback";
  my_attempts?: {
    used: number;
    remaining: number | null;
    can_start: boolean;
    next_start_at: string | null;
    open_attempt_id: string | null;
    best_percent: number | null;
    last_percent: number | null;
    passed: boolean;
    /** The quiz's gate is closed: modules of opens_after are still to complete. */
    locked?: boolean;
  };
  /** A gated quiz: it opens once every one of these modules is completed. */
  opens_after?: QuizGate;
}

export interface QuizGate {
  /** Every module is completed by the caller (false for staff). */
  open: boolean;
  modules: { module_id: string; title: string; done: boolean }[];
}

export type QuestionType = "single_choice" | "multiple_response" | "true_false" | "short_answer" | "numeric" | "matching" | "cloze";

export interface PublicItem {
  id: string;
  text: string;
}

export interface PublicQuestion {
  id: string;
  type: QuestionType;
  text: string;
  text_after?: string;
  format?: "markdown" | "plain" | "html";
  points: number;
  options?: PublicItem[];
  lefts?: PublicItem[];
  rights?: PublicItem[];
  /** A cloze question's gaps; its text marks each gap's place as {{gap:<id>}}. */
  gaps?: PublicGap[];
}

/** A gap of a cloze question: its kind and a choice gap's options, never which is right. */
export interface PublicGap {
  id: string;
  kind: "choice" | "short" | "numeric";
  display?: "dropdown" | "vertical" | "horizontal";
  points: number;
  options?: PublicItem[];
}

/** An answer to one question: choices (option ids), text, matches (left id → right id), or gaps (gap id → text, number or option id). */
export interface QuizAnswer {
  choices?: string[];
  text?: string;
  matches?: Record<string, string>;
  gaps?: Record<string, string>;
}

export type Answers = Record<string, QuizAnswer>;

export interface Attempt {
  id: string;
  quiz_id: string;
  quiz_title: string;
  quiz_version: number;
  number: number;
  status: "open" | "submitted";
  started_at: string;
  deadline: string | null;
  server_time: string;
  seq: number;
  questions: PublicQuestion[];
  answers: Answers;
  submitted_at?: string;
  auto_submitted: boolean;
}

export interface SaveResult {
  attempt_id: string;
  seq: number;
  deadline: string | null;
  server_time: string;
  /** The answers of the save the server did not keep, by question id, with the reason (a sentence). */
  rejected: Record<string, string>;
}

export interface QuestionResult {
  id: string;
  mark: number;
  points: number;
  correct: boolean;
  response: QuizAnswer;
  reread?: string;
  correct_answer?: { choices?: string[]; texts?: string[]; numbers?: string[]; matches?: Record<string, string> };
  feedback?: string[];
  /** A cloze question's gaps, each with its mark (and correct answer and feedback as the review policy allows). */
  gaps?: GapResult[];
}

export interface GapResult {
  id: string;
  weight: number;
  mark: number;
  correct: boolean;
  correct_answer?: { choices?: string[]; texts?: string[]; numbers?: string[] };
  feedback?: string[];
}

export interface Submission {
  attempt_id: string;
  quiz_id: string;
  quiz_version: number;
  number: number;
  submitted_at: string;
  auto_submitted: boolean;
  review: QuizSummary["review"];
  result: { percent: number; pass_percent: number; passed: boolean; reread: string[]; questions?: QuestionResult[] };
}

/** A role-play of a program, with the agent's runs (GET /programs/{id}/roleplays). */
export interface RoleplaySummary {
  id: string;
  slug: string;
  title: string;
  summary: string;
  signoff: boolean;
  attempts_used: number;
  attempts_allowed: number;
  next_start_at: string | null;
  open_run_id: string | null;
  passed: boolean;
  best_overall: number | null;
}

export type RunState = "in_progress" | "finished" | "pending_review" | "approved" | "sent_back";

export interface RunLine {
  index: number;
  turn_id: string;
  customer: string;
  mood: string;
  agent_text: string;
}

export interface RunView {
  id: string;
  roleplay_id: string;
  version: number;
  title: string;
  state: RunState;
  seq: number;
  persona: { name: string; situation: string };
  facts: { label: string; value: string }[];
  transcript: RunLine[];
  current?: {
    turn_id: string;
    customer: string;
    mood: string;
    kind: "choice" | "free_text";
    prompt?: string;
    options?: { id: string; text: string }[];
  };
  closing?: string;
  attempts_allowed: number;
  started_at: string;
  finished_at?: string;
}

export interface RunResult {
  run_id: string;
  roleplay_id: string;
  title: string;
  state: RunState;
  ending: string;
  outcome: "resolved" | "retained" | "escalated" | "lost";
  closing?: string;
  debrief: string;
  competencies: { competency: string; weight: number; earned: number; possible: number; score: number; minimum?: number; exercised: boolean; overridden?: boolean }[];
  overall: number;
  passed: boolean;
  reasons: { kind: "blocker" | "outcome" | "overall" | "minimum"; message: string; turn_index?: number; competency?: string }[];
  reread: { competency: string; target: string }[];
  signoff_required: boolean;
  signed_off: boolean;
  transcript: (RunLine & { mood_after: string; feedback: string[]; blockers: string[] })[];
  review?: { decision: "approve" | "send_back"; note?: string; reviewed_at: string };
}

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
