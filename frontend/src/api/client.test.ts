import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, setAccessToken } from "./client";

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setAccessToken(null);
});

describe("api", () => {
  it("sends the access token and decodes JSON", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(200, { ok: true }));
    vi.stubGlobal("fetch", fetchMock);
    setAccessToken("t1");
    await expect(api("/me")).resolves.toEqual({ ok: true });
    expect(fetchMock.mock.calls[0][0]).toBe("/api/v1/me");
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBe("Bearer t1");
  });

  it("refreshes once on 401 and retries with the new token", async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(401, { code: "unauthorized", message: "expired" }))
      .mockResolvedValueOnce(json(200, { access_token: "t2" }))
      .mockResolvedValueOnce(json(200, { id: "u1" }));
    vi.stubGlobal("fetch", fetchMock);
    setAccessToken("t1");
    await expect(api("/me")).resolves.toEqual({ id: "u1" });
    expect(fetchMock.mock.calls[1][0]).toBe("/api/v1/auth/refresh");
    expect(fetchMock.mock.calls[2][1].headers.Authorization).toBe("Bearer t2");
  });

  it("throws ApiError with the fields the API named", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(json(400, { code: "invalid", message: "bad", fields: { email: "is required" } })));
    const err = (await api("/users", { method: "POST", body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid");
    expect(err.fields.email).toBe("is required");
  });

  it("turns a network failure into an unavailable error", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const err = (await api("/me").catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("unavailable");
  });
});
