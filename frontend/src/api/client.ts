// The API client. The access token lives in memory only; the refresh token is
// an HttpOnly cookie the browser sends to /api/v1/auth. On a 401 the client
// refreshes once and retries, so an expired access token never loses work.

export type FieldErrors = Record<string, string>;

/** An error answered by the API: {code, message, fields}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, fields: FieldErrors = {}, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.details = details;
  }
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => {};

export function setAccessToken(token: string | null) {
  accessToken = token;
}

export function hasAccessToken() {
  return accessToken !== null;
}

/** Called when the session cannot be refreshed (signed out elsewhere, expired). */
export function setOnSessionLost(fn: () => void) {
  onSessionLost = fn;
}

/** Exchanges the refresh cookie for a new access token; one refresh at a time. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/api/v1/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: "{}",
        });
        if (!res.ok) return false;
        const body = await res.json();
        accessToken = body.access_token;
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => (refreshing = null), 0);
      }
    })();
  }
  return refreshing;
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const b = await res.json();
    return new ApiError(res.status, b.code ?? "internal", b.message ?? res.statusText, b.fields ?? {}, b.details);
  } catch {
    return new ApiError(res.status, "internal", `The server answered ${res.status}.`);
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Return the raw Response (for CSV downloads, ETags). */
  raw?: boolean;
  signal?: AbortSignal;
}

/** Calls the API under /api/v1 and returns the decoded JSON. Throws ApiError. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.body instanceof FormData || typeof opts.body === "string") {
      body = opts.body;
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    return fetch(`/api/v1${path}`, {
      method: opts.method ?? "GET",
      headers,
      body,
      credentials: "same-origin",
      signal: opts.signal,
    });
  };
  let res: Response;
  try {
    res = await send();
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "unavailable", "Cannot reach Skillgate. Check your connection and try again.");
  }
  if (res.status === 401 && !path.startsWith("/auth/")) {
    if (await refreshSession()) {
      res = await send();
    } else {
      accessToken = null;
      onSessionLost();
    }
  }
  if (!res.ok) throw await toError(res);
  if (opts.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
