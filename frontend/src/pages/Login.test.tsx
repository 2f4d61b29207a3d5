import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import { Login } from "./Login";

vi.mock("../auth/session", () => ({
  useSession: () => ({ me: null, loading: false, endedBy: null, signIn: vi.fn() }),
}));

/** The server's answer to GET /auth/methods. */
function methods(body: { password: boolean; provider?: string }) {
  vi.stubGlobal("fetch", vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), "http://app.test");
    if (url.pathname === "/api/v1/auth/methods") {
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    }
    return new Response(JSON.stringify({ code: "not_found", message: "no route" }), { status: 404, headers: { "Content-Type": "application/json" } });
  }));
}

function renderLogin(path = "/login") {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={[path]}>
        <Login />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Login", () => {
  it("offers the identity provider beside the password form", async () => {
    methods({ password: true, provider: "Acme SSO" });
    renderLogin();
    const link = await screen.findByRole("link", { name: "Sign in with Acme SSO" });
    expect(link).toHaveAttribute("href", "/api/v1/auth/oidc/start");
    expect(screen.getByLabelText("Password")).toBeInTheDocument();
  });

  it("shows only the password form without a provider", async () => {
    methods({ password: true });
    renderLogin();
    expect(await screen.findByLabelText("Password")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /Sign in with/ })).toBeNull();
  });

  it("keeps the password form behind a link for break-glass admins when passwords are off", async () => {
    methods({ password: false, provider: "Acme SSO" });
    renderLogin();
    await screen.findByRole("link", { name: "Sign in with Acme SSO" });
    expect(screen.queryByLabelText("Password")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Administrator? Sign in with a password" }));
    expect(screen.getByLabelText("Password")).toBeInTheDocument();
  });

  it("says why a sign-in with the provider came back without a session", async () => {
    methods({ password: true, provider: "Acme SSO" });
    renderLogin("/login?sso_error=unverified");
    expect(await screen.findByRole("alert")).toHaveTextContent("has not verified your email address");
  });
});
