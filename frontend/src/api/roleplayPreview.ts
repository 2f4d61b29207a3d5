// Test runs and live checks of a role-play being written (POST /roleplay-preview, /roleplay-preview/check):
// stateless, nothing is recorded. See docs/api.md#role-play.
import { api } from "./client";
import type { Schemas } from "./openapi";

export type RoleplayPreview = Schemas["RoleplayPreview"];
export type PreviewProblem = Schemas["RoleplayPreviewProblem"];

export const roleplayPreview = {
  /** The problems an import would report for the text, each with its line and turn. */
  check: (client: string, scenario: string, signal?: AbortSignal) =>
    api<RoleplayPreview>("/roleplay-preview/check", { method: "POST", body: { client, scenario }, signal }),
  /** Replays the answers from the start: the current turn, or the end with its scores. */
  play: (client: string, scenario: string, choices: string[]) =>
    api<RoleplayPreview>("/roleplay-preview", { method: "POST", body: { client, scenario, choices } }),
};
