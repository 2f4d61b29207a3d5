import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { Cohorts } from "./Cohorts";

vi.mock("../auth/session", () => ({
  useSession: () => ({ me: { id: "t1", email: "trainer@x.test", display_name: "Tess Trainer", role: "trainer" } }),
}));

const cohort = { id: "c1", name: "March class", start_date: "2026-03-02", trainer_id: "t1", skip_weekends: true, client_ids: ["cl1"], programs: [{ program_id: "p1", name: "Outages", client_id: "cl1" }], members: [], days_off: [], working_days: [] };

/** The API the form talks to; bo's membership is refused once. */
function server() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  let refuseBo = true;
  const members: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  vi.stubGlobal("fetch", vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://app.test");
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, body });
    if (method === "GET" && url.pathname === "/api/v1/cohorts") return json(200, { cohorts: [] });
    if (method === "GET" && url.pathname === "/api/v1/programs") return json(200, { programs: [{ id: "p1", client_id: "cl1", slug: "outages", name: "Outages", channels: ["voice"], description: "", valid_days: 365, refresher_window_days: 30, material_change_grace_days: 14 }] });
    if (method === "GET" && url.pathname === "/api/v1/users") return json(200, { users: [
      { id: "a1", email: "ann@x.test", display_name: "Ann", role: "agent", active: true },
      { id: "a2", email: "bo@x.test", display_name: "Bo", role: "agent", active: true },
    ], next: "" });
    if (method === "POST" && url.pathname === "/api/v1/cohorts") {
      if (!body.program_ids.length) return json(400, { code: "invalid", message: "the cohort is invalid", fields: { program_ids: "choose at least one program" } });
      return json(201, cohort);
    }
    if (method === "POST" && url.pathname === "/api/v1/cohorts/c1/members") {
      if (body.user_id === "a2" && refuseBo) { refuseBo = false; return json(400, { code: "invalid", message: "not a member of the client", fields: { user_id: "is not a member of Cinder Valley Electric" } }); }
      if (members.includes(body.user_id)) return json(409, { code: "conflict", message: "already a member" });
      members.push(body.user_id);
      return json(201, { ...cohort, members: members.map((id) => ({ user_id: id, email: `${id}@x.test`, display_name: id, added_at: "2026-03-01T00:00:00Z" })) });
    }
    return json(404, { code: "not_found", message: `no route ${method} ${url.pathname}` });
  }));
  return calls;
}

function Landed() {
  const state = useLocation().state as { notice?: string } | null;
  return <p>Landed: {state?.notice}</p>;
}

function renderPage() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={["/cohorts"]}>
        <Routes>
          <Route path="/cohorts" element={<Cohorts />} />
          <Route path="/cohorts/:id" element={<Landed />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("creating a cohort", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("shows the API's error at the programs and focuses there", async () => {
    server();
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole("button", { name: "New cohort" }));
    await user.type(screen.getByLabelText("Name"), "March class");
    await user.click(screen.getByRole("button", { name: "Create cohort" }));
    const programs = await screen.findByRole("group", { name: "Programs" });
    await waitFor(() => expect(programs).toHaveAttribute("aria-invalid", "true"));
    expect(programs).toHaveTextContent("Choose at least one program.");
    expect(screen.getByLabelText("Outages")).toHaveFocus();
  });

  it("names a refused member at the members field, keeps the cohort, and adds the rest on the next press", async () => {
    const calls = server();
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole("button", { name: "New cohort" }));
    await user.type(screen.getByLabelText("Name"), "March class");
    await user.type(screen.getByLabelText("Start date", { exact: false }), "2026-03-02");
    await user.click(await screen.findByLabelText("Outages"));
    const members = screen.getByLabelText("Members", { exact: false });
    await waitFor(() => expect(members.querySelectorAll("option")).toHaveLength(2));
    await user.selectOptions(members, ["Ann (ann@x.test)", "Bo (bo@x.test)"]);
    await user.click(screen.getByRole("button", { name: "Create cohort" }));

    await waitFor(() => expect(members).toHaveAttribute("aria-invalid", "true"));
    expect(members).toHaveAccessibleDescription(/bo@x\.test: Is not a member of Cinder Valley Electric\./);
    expect(screen.getByText(/Created March class; some members could not be added/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/v1/cohorts")).toHaveLength(1);
    expect(calls.find((c) => c.path === "/api/v1/cohorts")?.body).toBeUndefined();

    await user.click(screen.getByRole("button", { name: "Add the members" }));
    expect(await screen.findByText("Landed: Created March class with 2 members.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/v1/cohorts")).toHaveLength(1);
    expect(calls.filter((c) => c.method === "POST" && c.path.endsWith("/members")).map((c) => (c.body as { user_id: string }).user_id)).toEqual(["a1", "a2", "a2"]);
  });
});
