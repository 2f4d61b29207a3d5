// The author's preview of a quiz or bank being written: drawn as an agent
// sees it, checked with the real grader, recorded nowhere. See
// docs/authoring.md (the quiz and bank editors).
import { api } from "./client";
import type { Schemas } from "./openapi";
import type { Answers } from "./learning";

export type QuizPreview = Schemas["QuizPreview"];
export type QuizPreviewRequest = Schemas["QuizPreviewRequest"];
export type PreviewProblem = Schemas["PreviewProblem"];
export type QuizResult = Schemas["QuizResult"];

export interface PreviewCheck {
  review: "score" | "answers" | "correct" | "feedback";
  result: QuizResult;
  agent_sees: QuizResult;
}

export const quizPreview = {
  preview: (body: QuizPreviewRequest) => api<QuizPreview>("/quiz-preview", { method: "POST", body }),
  check: (body: QuizPreviewRequest & { question_ids: string[]; answers: Answers }) =>
    api<PreviewCheck>("/quiz-preview/check", { method: "POST", body }),
};

/** client, program and file of a library path quizzes/<client>/<program>/<file>. */
export function splitQuizPath(path: string): { client: string; program: string; file: string } {
  const [, client = "", program = "", file = ""] = path.split("/");
  return { client, program, file };
}
