// Library drafts: one library file (client.yaml, program.yaml, a quiz, a
// question bank, a role-play) written in the app and published through the
// importer. Saves and publishing send If-Match, so nobody's save is
// overwritten; a 409 names the lines that changed. See docs/authoring.md.
import { useQuery } from "@tanstack/react-query";
import { api, ApiError, query } from "./client";
import type { Schemas } from "./openapi";
import type { ImportReport } from "./authoring";

export type LibraryDraft = Schemas["LibraryDraft"];
export type LibraryProblem = Schemas["LibraryProblem"];
export type LibraryDraftKind = LibraryDraft["kind"];
export interface LibraryEntry {
  path: string;
  title?: string;
}

/** What a check found: ok when it would publish; the importer's dry-run report (null with problems). */
export interface DraftCheck {
  ok: boolean;
  problems: LibraryProblem[];
  report: ImportReport | null;
}

/** The draft as the server answered it; its `etag` is what the next save or publish sends as If-Match. */
async function draftOf(res: Response): Promise<LibraryDraft> {
  const d = (await res.json()) as LibraryDraft;
  return { ...d, etag: res.headers.get("ETag") ?? d.etag };
}

function withBody(with_?: string[]) {
  return with_ && with_.length > 0 ? { with: with_ } : undefined;
}

export const drafts = {
  /** The drafts you may author, of one client (a slug or "_core") and kind when given. */
  list: (client?: string, kind?: LibraryDraftKind) =>
    api<{ drafts: LibraryDraft[] }>(`/library/drafts${query({ client, kind })}`).then((r) => r.drafts),
  /**
   * Opens the draft of the file at path (the open one when there is one). Without body it starts from the
   * published file (404 when there is none); with body, a new file.
   */
  start: (body: { client: string; kind: LibraryDraftKind; path: string; body?: string }) =>
    api<Response>("/library/drafts", { method: "POST", body, raw: true }).then(draftOf),
  get: (id: string) => api<Response>(`/library/drafts/${id}`, { raw: true }).then(draftOf),
  /** Saves the text; etag is the version you edited (409 when someone saved since). */
  save: (id: string, etag: string, body: string) =>
    api<Response>(`/library/drafts/${id}`, { method: "PUT", body: { body }, headers: { "If-Match": etag }, raw: true }).then(draftOf),
  discard: (id: string, etag?: string) =>
    api(`/library/drafts/${id}`, { method: "DELETE", headers: etag ? { "If-Match": etag } : {} }),
  /** Runs the importer as a dry run with the draft (and the drafts in with, of the same client) laid over the library. */
  check: (id: string, with_?: string[]) =>
    api<DraftCheck>(`/library/drafts/${id}/check`, { method: "POST", body: withBody(with_) }),
  /** Publishes the draft's version etag (and the drafts in with) as an import; the drafts are gone after. */
  publish: (id: string, etag: string, with_?: string[]) =>
    api<{ report: ImportReport }>(`/library/drafts/${id}/publish`, {
      method: "POST", body: withBody(with_), headers: { "If-Match": etag },
    }).then((r) => r.report),
  /** The client's published library (its own files and the core ones), each path with its title when it has one. */
  files: (client: string) =>
    api<{ files: LibraryEntry[] }>(`/library/files${query({ client })}`).then((r) => r.files),
  /** The published file's text, or null when there is none. */
  file: (client: string, path: string) =>
    api<{ path: string; body: string }>(`/library/file${query({ client, path })}`)
      .then((r) => r.body)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
};

/** The library path of each kind of file. */
export const libraryPath = {
  client: (client: string) => `content/${client}/client.yaml`,
  program: (client: string, program: string) => `content/${client}/${program}/program.yaml`,
  quiz: (client: string, program: string, slug: string) => `quizzes/${client}/${program}/${slug}.quiz.yaml`,
  roleplay: (client: string, program: string, slug: string) => `quizzes/${client}/${program}/${slug}.roleplay.yaml`,
  bank: (client: string, program: string, slug: string, ext: "gift" | "xml" | "aiken.txt" = "gift") =>
    `quizzes/${client}/${program}/${slug}.${ext}`,
};

/**
 * The problems a refused publish (400 with fields keyed "file:line") names, as a check lists them; [] for
 * any other error.
 */
export function problemsOf(err: unknown): LibraryProblem[] {
  if (!(err instanceof ApiError) || err.code !== "invalid") return [];
  const out: LibraryProblem[] = [];
  for (const [key, message] of Object.entries(err.fields)) {
    const m = /^(.*\.(?:ya?ml|gift|xml|txt|md)):(\d+)$/.exec(key) ?? /^(.*\.(?:ya?ml|gift|xml|txt|md))$/.exec(key);
    if (!m) continue;
    out.push({ file: m[1], line: m[2] ? Number(m[2]) : 0, message });
  }
  return out;
}

/** Whether err is a save refused because someone saved the draft since (409). */
export function isStale(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 409;
}

export const draftKeys = {
  list: (client?: string, kind?: string) => ["library-drafts", client ?? "", kind ?? ""] as const,
  draft: (id: string) => ["library-draft", id] as const,
  file: (client: string, path: string) => ["library-file", client, path] as const,
};

/** The drafts you may author (of a client and kind when given). */
export function useLibraryDrafts(client?: string, kind?: LibraryDraftKind, enabled = true) {
  return useQuery({ queryKey: draftKeys.list(client, kind), queryFn: () => drafts.list(client, kind), enabled, staleTime: 0 });
}

/** One draft, never cached stale: its etag must be the latest. */
export function useLibraryDraft(id: string | undefined) {
  return useQuery({ queryKey: draftKeys.draft(id ?? ""), queryFn: () => drafts.get(id!), enabled: !!id, staleTime: 0 });
}

/** The client's published library files, for pickers. */
export function useLibraryFiles(client: string | undefined) {
  return useQuery({ queryKey: ["library-files", client ?? ""], queryFn: () => drafts.files(client!), enabled: !!client, staleTime: 0 });
}

/** The published file at path (null when none), for "published" views and diffs. */
export function useLibraryFile(client: string | undefined, path: string | undefined) {
  return useQuery({
    queryKey: draftKeys.file(client ?? "", path ?? ""),
    queryFn: () => drafts.file(client!, path!),
    enabled: !!client && !!path,
    staleTime: 0,
  });
}
