import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, clearTokens, query, sentence, setOnSessionLost, setTokens, type Tokens } from "./client";

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function tokens(access: string, expiresIn = 900): Tokens {
  return {
    access_token: access, token_type: "Bearer", expires_in: expiresIn,
    expires_at: new Date(Date.now() + expiresIn * 1000).toISOString(), refresh_expires_at: "2099-01-01T00:00:00Z",
  };
}

/** The paths fetched and the Authorization header each carried. */
function calls(fetchMock: ReturnType<typeof vi.fn>) {
  return fetchMock.mock.calls.map(([url, init]) => `${url} ${(init as RequestInit).headers && ((init as RequestInit).headers as Record<string, string>).Authorization || "-"}`);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  clearTokens();
  setOnSessionLost(() => {});
});

describe("api", () => {
  it("sends the access token and decodes JSON", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(200, { ok: true }));
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1"));
    await expect(api("/me")).resolves.toEqual({ ok: true });
    expect(calls(fetchMock)).toEqual(["/api/v1/me Bearer t1"]);
  });

  it("refreshes once on 401 and retries the same request, body included, with the new token", async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(401, { code: "unauthorized", message: "expired" }))
      .mockResolvedValueOnce(json(200, tokens("t2")))
      .mockResolvedValueOnce(json(201, { id: "u1" }));
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1"));
    await expect(api("/users", { method: "POST", body: { email: "a@b.test" } })).resolves.toEqual({ id: "u1" });
    expect(calls(fetchMock)).toEqual(["/api/v1/users Bearer t1", "/api/v1/auth/refresh -", "/api/v1/users Bearer t2"]);
    expect(fetchMock.mock.calls[2][1].body).toBe('{"email":"a@b.test"}');
    expect(fetchMock.mock.calls[2][1].method).toBe("POST");
  });

  it("shares one refresh among requests that fail together", async () => {
    let refreshes = 0;
    const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
      if (url === "/api/v1/auth/refresh") {
        refreshes++;
        return json(200, tokens("t2"));
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === "Bearer t2" ? json(200, { url }) : json(401, { code: "unauthorized", message: "expired" });
    });
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1"));
    const got = await Promise.all([api("/a"), api("/b"), api("/c")]);
    expect(got).toEqual([{ url: "/api/v1/a" }, { url: "/api/v1/b" }, { url: "/api/v1/c" }]);
    expect(refreshes).toBe(1);
  });

  it("refreshes before sending when the token is about to expire", async () => {
    const fetchMock = vi.fn().mockResolvedValueOnce(json(200, tokens("t2"))).mockResolvedValueOnce(json(200, { ok: true }));
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1", 900));
    vi.setSystemTime(Date.now() + 850_000); // 50 s left: inside the last minute
    await api("/me");
    expect(calls(fetchMock)).toEqual(["/api/v1/auth/refresh -", "/api/v1/me Bearer t2"]);
  });

  it("does not refresh while the token is fresh", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(200, { ok: true }));
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1", 20));
    vi.setSystemTime(Date.now() + 15_000); // 5 s left of 20: more than a fifth
    await api("/me");
    expect(calls(fetchMock)).toEqual(["/api/v1/me Bearer t1"]);
  });

  it("reports a lost session when the refresh is refused", async () => {
    const lost = vi.fn();
    setOnSessionLost(lost);
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(401, { code: "unauthorized", message: "expired" }))
      .mockResolvedValueOnce(json(401, { code: "unauthorized", message: "spent" }));
    vi.stubGlobal("fetch", fetchMock);
    setTokens(tokens("t1"));
    const err = (await api("/me").catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("unauthorized");
    expect(lost).toHaveBeenCalledTimes(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("does not refresh when a sign-in is refused", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(401, { code: "unauthorized", message: "the email address or password is wrong" }));
    vi.stubGlobal("fetch", fetchMock);
    const err = (await api("/auth/login", { method: "POST", body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe("The email address or password is wrong."); // as a sentence for people
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("sends a string body as it is, with the caller's Content-Type", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(201, { created: 1 }));
    vi.stubGlobal("fetch", fetchMock);
    await api("/users/import", { method: "POST", body: "email,role\n", headers: { "Content-Type": "text/csv" } });
    expect(fetchMock.mock.calls[0][1].body).toBe("email,role\n");
    expect(fetchMock.mock.calls[0][1].headers["Content-Type"]).toBe("text/csv");
  });

  it("throws ApiError with the fields the API named", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(json(400, { code: "invalid", message: "bad", fields: { email: "is required" } })));
    const err = (await api("/users", { method: "POST", body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid");
    expect(err.fields.email).toBe("Is required.");
    expect(err.message).toBe("Bad.");
  });

  it("writes the API's messages as sentences", () => {
    expect(sentence("the email is taken")).toBe("The email is taken.");
    expect(sentence("Already a sentence.")).toBe("Already a sentence.");
    expect(sentence("why?")).toBe("Why?");
    expect(sentence('unknown outcome "x" (known: a, b)')).toBe('Unknown outcome "x" (known: a, b).');
    expect(sentence("  ")).toBe("");
    expect(sentence("bo@x.test: is not a member")).toBe("bo@x.test: is not a member.");
  });

  it("turns a network failure into an unavailable error", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const err = (await api("/me").catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("unavailable");
  });
});

describe("query", () => {
  it("keeps only the set values", () => {
    expect(query({ q: "ann lee", role: "", active: false, after: undefined, limit: 50 })).toBe("?q=ann+lee&active=false&limit=50");
    expect(query({ q: "" })).toBe("");
  });
});
