import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { setTokens } from "../api/client";
import { verifyID, type Certificate } from "../api/certificates";
import { Verify } from "../pages/Verify";
import { CertificateCard } from "./Certificates";

const cert: Certificate = {
  id: "5d6f0c1e-0000-4000-8000-000000000001", certification_id: "5d6f0c1e-0000-4000-8000-000000000002",
  number: "SG-2026-000042", holder_name: "Dana Whitfield", program_name: "Card services", client_name: "Fenmore Bank",
  issued_at: "2026-03-02T09:00:00Z", expires_at: "2027-03-02T09:00:00Z", status: "valid",
  verification_url: "https://skillgate.example.com/verify/cninsbuyuzdn3lk7yddh7uvrxi",
  pdf: "/api/v1/certificates/5d6f0c1e-0000-4000-8000-000000000001/pdf",
  credential: "/api/v1/certificates/5d6f0c1e-0000-4000-8000-000000000001/credential",
};

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function renderVerify(id: string) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={[`/verify/${id}`]}>
        <Routes><Route path="/verify/:id" element={<Verify />} /></Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setTokens(null);
});

describe("the verification page", () => {
  it("shows what the API answers, and revoked as revoked", async () => {
    const fetchMock = vi.fn(async () => json(200, { holder_name: "Dana Whitfield", program_name: "Card services", client_name: "Fenmore Bank",
      issued_at: "2026-03-02T09:00:00Z", expires_at: "2027-03-02T09:00:00Z", status: "revoked", checked_at: "2026-06-01T10:00:00Z" }));
    vi.stubGlobal("fetch", fetchMock);
    renderVerify("cninsbuyuzdn3lk7yddh7uvrxi");
    expect(await screen.findByText(/This certificate was revoked/)).toHaveAttribute("role", "status");
    expect(screen.getByText("Revoked")).toHaveClass("badge", "bad");
    expect(screen.getByText("Dana Whitfield")).toBeInTheDocument();
    expect(screen.getByText("Fenmore Bank")).toBeInTheDocument();
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/verify/cninsbuyuzdn3lk7yddh7uvrxi");
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("says when no certificate has the link, and passes on a rate limit", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(404, { code: "not_found", message: "certificate not found" })));
    renderVerify("nope");
    expect(await screen.findByRole("alert")).toHaveTextContent("No certificate has this link");
    cleanup();
    vi.stubGlobal("fetch", vi.fn(async () => json(429, { code: "too_many_requests", message: "too many requests from your address; try again later" })));
    renderVerify("cninsbuyuzdn3lk7yddh7uvrxi");
    expect(await screen.findByRole("alert")).toHaveTextContent(/too many requests/i);
  });
});

describe("a certificate card", () => {
  it("links to its verification page and offers the wallet credential to its holder only", async () => {
    const { unmount } = render(<MemoryRouter><CertificateCard cert={cert} holder /></MemoryRouter>);
    expect(verifyID(cert)).toBe("cninsbuyuzdn3lk7yddh7uvrxi");
    expect(screen.getByRole("link", { name: "Verification page of certificate SG-2026-000042" })).toHaveAttribute("href", "/verify/cninsbuyuzdn3lk7yddh7uvrxi");
    expect(screen.getByRole("button", { name: "Wallet credential (Open Badges) of certificate SG-2026-000042" })).toBeInTheDocument();
    unmount();
    render(<MemoryRouter><CertificateCard cert={cert} holder={false} /></MemoryRouter>);
    expect(screen.queryByRole("button", { name: /Wallet credential/ })).toBeNull();
  });

  it("shows the API's refusal of a download", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(409, { code: "conflict", message: "certificate SG-2026-000042 is revoked" })));
    render(<MemoryRouter><CertificateCard cert={cert} holder /></MemoryRouter>);
    await userEvent.click(screen.getByRole("button", { name: /Wallet credential/ }));
    expect(await screen.findByRole("alert")).toHaveTextContent("revoked");
  });
});
