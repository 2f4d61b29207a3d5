import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Link, MemoryRouter, Route, Routes } from "react-router-dom";
import type { Notification } from "../api/notifications";
import { NotificationsBadge } from "./Badge";
import { Inbox } from "./Inbox";
import { FRESH_MS } from "./logic";
import { formatDate } from "../lib/format";

vi.mock("../auth/session", () => ({
  useSession: () => ({ me: { id: "u1", email: "agent@x", display_name: "Agent", role: "agent" } }),
}));

/** A small inbox server: newest first, the unread filter, read marks. */
function inboxServer(notices: Notification[], opts: { failRead?: boolean } = {}) {
  const calls: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://app.test");
    const method = init?.method ?? "GET";
    calls.push(`${method} ${url.pathname}${url.search}`);
    const unreadCount = () => notices.filter((n) => !n.read_at).length;
    if (method === "GET" && url.pathname === "/api/v1/me/notifications") {
      const only = url.searchParams.get("unread") === "true";
      const list = notices.filter((n) => !only || !n.read_at).sort((a, b) => b.created_at.localeCompare(a.created_at));
      const limit = Number(url.searchParams.get("limit") ?? 20), offset = Number(url.searchParams.get("offset") ?? 0);
      return json(200, { notifications: list.slice(offset, offset + limit), unread_count: unreadCount(), total: list.length });
    }
    if (method === "POST" && url.pathname === "/api/v1/me/notifications/read-all") {
      const marked = unreadCount();
      notices.forEach((n) => { n.read_at ??= "2026-12-01T12:00:00Z"; });
      return json(200, { marked });
    }
    const m = url.pathname.match(/^\/api\/v1\/me\/notifications\/([^/]+)\/read$/);
    if (method === "POST" && m) {
      if (opts.failRead) return json(503, { code: "unavailable", message: "the database is busy" });
      const n = notices.find((x) => x.id === m[1]);
      if (!n) return json(404, { code: "not_found", message: "no such notification" });
      n.read_at ??= "2026-12-01T12:00:00Z";
      return json(200, n);
    }
    return json(404, { code: "not_found", message: `no route ${method} ${url.pathname}` });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

function notice(id: string, created: string, extra: Partial<Notification> = {}): Notification {
  return {
    id, kind: "roleplay.sent_back", key: `roleplay-sent-back:${id}`, title: `Role-play sent back: ${id}`,
    body: "A supervisor sent your run back. Play it again when you are ready.", link: `/training/p1/roleplay/${id}`,
    created_at: created, ...extra,
  };
}

function renderApp(path = "/notifications") {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 } } });
  render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={[path]}>
        <header><NotificationsBadge /><Link to="/elsewhere">Elsewhere</Link><Link to="/other">Other</Link></header>
        <Routes>
          <Route path="/notifications" element={<Inbox />} />
          <Route path="/training/:p/roleplay/:r" element={<h1>Run page</h1>} />
          <Route path="*" element={<h1>Some page</h1>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const badge = () => screen.getByRole("link", { name: /^Notifications/ });

describe("the inbox", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-01T10:00:00Z") }));
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("lists notices newest first with their read state, and the badge names the unread count", async () => {
    inboxServer([
      notice("old", "2026-11-20T09:00:00Z", { read_at: "2026-11-21T09:00:00Z" }),
      notice("new", "2026-12-01T09:00:00Z", { due_at: "2026-12-05T00:00:00Z", due_date: "2026-12-04" }),
      notice("mid", "2026-11-28T09:00:00Z"),
    ]);
    renderApp();
    const list = await screen.findByRole("list", { name: "Notifications, newest first" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((li) => within(li).getByRole("link").textContent)).toEqual([
      "Role-play sent back: new", "Role-play sent back: mid", "Role-play sent back: old",
    ]);
    expect(items[0]).toHaveTextContent("Unread");
    // The due day shown is due_date, not due_at (the midnight after it).
    expect(items[0]).toHaveTextContent(`due ${formatDate("2026-12-04")}`);
    expect(items[0]).not.toHaveTextContent(formatDate("2026-12-05"));
    expect(items[2]).toHaveTextContent("Read");
    expect(within(items[2]).queryByRole("button", { name: /Mark read/ })).toBeNull();
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications 2 unread"));
  });

  it("opening a notice marks it read, follows its link, and the badge drops", async () => {
    const { calls } = inboxServer([notice("r1", "2026-12-01T09:00:00Z"), notice("r2", "2026-11-30T09:00:00Z")]);
    renderApp();
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications 2 unread"));
    await userEvent.click(await screen.findByRole("link", { name: "Role-play sent back: r1" }));
    expect(await screen.findByRole("heading", { name: "Run page" })).toBeInTheDocument();
    expect(calls).toContain("POST /api/v1/me/notifications/r1/read");
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications 1 unread"));
  });

  it("a notice that cannot be marked shows why next to it and stays put", async () => {
    inboxServer([notice("r1", "2026-12-01T09:00:00Z")], { failRead: true });
    renderApp();
    await userEvent.click(await screen.findByRole("link", { name: "Role-play sent back: r1" }));
    const item = screen.getByRole("listitem");
    expect(await within(item).findByRole("alert")).toHaveTextContent("Could not mark it read: The database is busy.");
    expect(screen.queryByRole("heading", { name: "Run page" })).toBeNull();
  });

  it("marks one read in place, keeping focus on the notice", async () => {
    inboxServer([notice("r1", "2026-12-01T09:00:00Z"), notice("r2", "2026-11-30T09:00:00Z")]);
    renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Mark read: Role-play sent back: r2" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Marked “Role-play sent back: r2” read.");
    await waitFor(() => expect(screen.getByRole("link", { name: "Role-play sent back: r2" })).toHaveFocus());
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications 1 unread"));
  });

  it("mark all read empties the badge and the unread filter", async () => {
    inboxServer([notice("r1", "2026-12-01T09:00:00Z"), notice("r2", "2026-11-30T09:00:00Z")]);
    renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Mark all read" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Marked 2 notices read.");
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications"));
    expect(screen.getByRole("button", { name: "Mark all read" })).toBeDisabled();
    await userEvent.selectOptions(screen.getByLabelText("Show"), "Unread only");
    expect(await screen.findByText("Nothing unread.", { selector: "p:not(.hint)" })).toBeInTheDocument();
  });

  it("pages through older notices", async () => {
    const many = Array.from({ length: 25 }, (_, i) => notice(`n${String(i).padStart(2, "0")}`, `2026-11-${String(i + 1).padStart(2, "0")}T09:00:00Z`));
    inboxServer(many);
    renderApp();
    expect(await screen.findByText("Showing 1–20 of 25")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Newer" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Older" }));
    expect(await screen.findByText("Showing 21–25 of 25")).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")[0]).toHaveTextContent("Role-play sent back: n04");
  });
});

describe("the badge", () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("asks again on navigation only once the count is older than FRESH_MS", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-01T10:00:00Z") });
    const { calls } = inboxServer([notice("r1", "2026-12-01T09:00:00Z")]);
    renderApp("/start");
    await waitFor(() => expect(badge()).toHaveAccessibleName("Notifications 1 unread"));
    const asks = () => calls.filter((c) => c.startsWith("GET /api/v1/me/notifications?")).length;
    expect(asks()).toBe(1);
    expect(calls[0]).toBe("GET /api/v1/me/notifications?limit=1&unread=true");

    await userEvent.click(screen.getByRole("link", { name: "Elsewhere" }));
    await userEvent.click(screen.getByRole("link", { name: "Other" }));
    expect(asks()).toBe(1);

    vi.setSystemTime(Date.now() + FRESH_MS + 1000);
    await userEvent.click(screen.getByRole("link", { name: "Elsewhere" }));
    await waitFor(() => expect(asks()).toBe(2));
  });
});
