import { afterEach, describe, expect, it, vi } from "vitest";
import { useState } from "react";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import type { LibraryDraft } from "../api/drafts";
import { DraftBar, useDraftEditing } from "./draftEditing";

const first: LibraryDraft = {
  id: "d1", client: "fenmore", kind: "quiz", path: "quizzes/fenmore/cards/fees.quiz.yaml", body: "title: Fees\n",
  etag: '"v1"', version: 1, published: true,
} as LibraryDraft;

interface Call { method: string; url: string; ifMatch?: string; body?: unknown }

/** A drafts API in memory: each save bumps the etag unless it is stale; `colleague` saves in between. */
function serve() {
  const calls: Call[] = [];
  let cur = { ...first };
  const json = (v: unknown, status = 200, etag?: string) =>
    new Response(JSON.stringify(v), { status, headers: { "Content-Type": "application/json", ...(etag ? { ETag: etag } : {}) } });
  vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = init.body ? JSON.parse(init.body as string) : undefined;
    const method = init.method ?? "GET";
    calls.push({ method, url, ifMatch: headers["If-Match"], body });
    if (headers["If-Match"] && headers["If-Match"] !== cur.etag) {
      return json({ code: "conflict", message: "The draft changed since version 1.", fields: { "If-Match": "stale" } }, 409);
    }
    if (method === "PUT") {
      cur = { ...cur, body: body.body, version: cur.version + 1, etag: `"v${cur.version + 1}"` };
      return json(cur, 200, cur.etag);
    }
    if (url.endsWith("/check")) return json({ ok: true, problems: [], report: null });
    if (url.endsWith("/publish")) return json({ report: { created: 0, changed: 1, items: [] } });
    return json(cur, 200, cur.etag);
  }));
  return {
    calls,
    colleague: (text: string) => { cur = { ...cur, body: text, version: cur.version + 1, etag: `"v${cur.version + 1}"` }; },
  };
}

function Editor({ publishWith }: { publishWith?: () => Promise<string[]> }) {
  const [text, setText] = useState(first.body);
  const editing = useDraftEditing(first, text, { publishWith, back: "/banks", onReloaded: setText });
  return (
    <>
      <DraftBar editing={editing} />
      <textarea aria-label="Text" value={text} onChange={(e) => setText(e.target.value)} />
    </>
  );
}

function show(publishWith?: () => Promise<string[]>) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter><Editor publishWith={publishWith} /></MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("useDraftEditing", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("saves a changed text before publishing, with the saved etag and the drafts published along", async () => {
    const api = serve();
    show(async () => ["listing"]);
    await userEvent.type(screen.getByLabelText("Text"), "pass_percent: 50");
    expect(screen.getByRole("status")).toHaveTextContent("Unsaved changes.");
    await userEvent.click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByText("Published: 0 created, 1 changed.")).toBeInTheDocument();
    const [put, publish] = api.calls;
    expect(put).toMatchObject({ method: "PUT", ifMatch: '"v1"', body: { body: "title: Fees\npass_percent: 50" } });
    expect(publish).toMatchObject({ method: "POST", url: "/api/v1/library/drafts/d1/publish", ifMatch: '"v2"', body: { with: ["listing"] } });
  });

  it("checks without saving when nothing changed", async () => {
    const api = serve();
    show();
    await userEvent.click(screen.getByRole("button", { name: "Check" }));
    expect(await screen.findByText("The check found no problems: it can be published.")).toBeInTheDocument();
    expect(api.calls.map((c) => c.method)).toEqual(["POST"]);
  });

  it("reports a 409 and reloads the colleague's text and etag, so the next save goes through", async () => {
    const api = serve();
    show();
    api.colleague("title: Fees\n# a colleague's note\n");
    await userEvent.type(screen.getByLabelText("Text"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Someone saved this draft since you opened it");
    await userEvent.click(screen.getByRole("button", { name: "Reload the draft" }));
    expect(await screen.findByText("Reloaded the draft as saved last.")).toBeInTheDocument();
    expect(screen.getByLabelText("Text")).toHaveValue("title: Fees\n# a colleague's note\n");
    expect(screen.queryByRole("alert")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(api.calls.at(-1)).toMatchObject({ method: "PUT", ifMatch: '"v2"' });
  });
});
