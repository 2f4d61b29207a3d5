// Authoring in the app: module drafts (saved with If-Match, so nobody's
// save is overwritten) and the library as an archive (admins). See
// docs/authoring.md.
import { api, downloadFile, query } from "./client";
import type { Schemas } from "./openapi";
import type { ModuleRead } from "./learning";
import type { ChangeKind } from "./staff";

export type DraftView = Schemas["DraftView"];
export type ModuleDraft = Schemas["ModuleDraft"];
export type DraftDiff = Schemas["DraftDiff"];
export type ImportReport = Schemas["ImportReport"];

/** A draft with the ETag of its revision, which the next save must send. */
export interface Draft {
  draft: DraftView;
  etag: string;
}

async function withETag(res: Response): Promise<Draft> {
  return { draft: (await res.json()) as DraftView, etag: res.headers.get("ETag") ?? "" };
}

export const authoring = {
  drafts: () => api<{ drafts: ModuleDraft[] }>("/module-drafts").then((r) => r.drafts),
  /** Opens a module's draft (the shared one when there is one), or starts a new module in a program. */
  start: (body: { module_id?: string; program_id?: string; core?: boolean; slug?: string }) =>
    api<Response>("/module-drafts", { method: "POST", body, raw: true }).then(withETag),
  get: (id: string) => api<Response>(`/module-drafts/${id}`, { raw: true }).then(withETag),
  save: (id: string, etag: string, markdown: string) =>
    api<Response>(`/module-drafts/${id}`, { method: "PUT", body: { markdown }, headers: { "If-Match": etag }, raw: true }).then(withETag),
  diff: (id: string) => api<DraftDiff>(`/module-drafts/${id}/diff`),
  publish: (id: string, etag: string, change: ChangeKind | "") =>
    api<ModuleRead>(`/module-drafts/${id}/publish`, { method: "POST", body: { change }, headers: { "If-Match": etag } }),
  discard: (id: string, etag: string) => api(`/module-drafts/${id}`, { method: "DELETE", headers: { "If-Match": etag } }),
  /** Downloads the library (or one client's) as an archive; returns the file's name. */
  exportLibrary: (client: string, format: "tar.gz" | "zip") =>
    downloadFile(`/library/export${query({ client, format })}`, `skillgate-library.${format}`, format === "zip" ? "application/zip" : "application/gzip"),
  /** Imports an archive: a dry run reports, writing nothing. */
  importLibrary: (file: Blob, dryRun: boolean) =>
    api<ImportReport>(`/library/import${query({ dry_run: dryRun })}`, {
      method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" },
    }),
};
