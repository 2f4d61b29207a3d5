// The API client. The access token lives in memory only; the refresh token is
// an HttpOnly cookie the browser sends to /api/v1/auth. The client refreshes
// a little before the access token expires, and on a 401 it refreshes once and
// retries the same request, so an expired access token never loses work.

export type FieldErrors = Record<string, string>;

/** An error answered by the API: {code, message, fields}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, fields: FieldErrors = {}, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.details = details;
  }
}

/** A message as a sentence: a capital first letter and a full stop ("the email is taken" → "The email is taken."). */
export function sentence(m: string): string {
  const t = m.trim();
  if (!t) return t;
  // Only a plain word is capitalized: "bo@x.test: …" or "user_id …" stay as they are.
  const first = /^[a-z][a-z'’-]*(?=[\s,:;.!?]|$)/.test(t) ? t.charAt(0).toUpperCase() + t.slice(1) : t;
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** What login and refresh answer (the refresh token itself stays in the cookie). */
export interface Tokens {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  expires_at: string;
  refresh_expires_at: string;
  user?: unknown;
}

let accessToken: string | null = null;
/** When the access token expires and when to refresh it early, in ms since the epoch. */
let expiresAt = 0;
let refreshAt = 0;
let refreshing: Promise<Tokens | null> | null = null;
let onSessionLost: () => void = () => {};
let onTokens: (t: Tokens) => void = () => {};

/** The most a token is refreshed ahead of its expiry. */
const MAX_EARLY_MS = 60_000;

/**
 * Keeps new tokens in memory. The expiry is taken from expires_in against
 * this machine's clock, so a skewed clock does not matter. The token is
 * refreshed when a fifth of its life (at most a minute) remains.
 */
export function setTokens(t: Tokens | null) {
  if (!t) {
    accessToken = null;
    expiresAt = refreshAt = 0;
    return;
  }
  const now = Date.now();
  const life = Math.max(0, t.expires_in) * 1000;
  accessToken = t.access_token;
  expiresAt = now + life;
  refreshAt = expiresAt - Math.min(MAX_EARLY_MS, life / 5);
}

/** Forgets the access token (signing out). */
export function clearTokens() {
  setTokens(null);
}

export function hasAccessToken() {
  return accessToken !== null;
}

/** Called when the session cannot be refreshed (signed out elsewhere, expired). */
export function setOnSessionLost(fn: () => void) {
  onSessionLost = fn;
}

/** Called with every new set of tokens (so the session can update the user). */
export function setOnTokens(fn: (t: Tokens) => void) {
  onTokens = fn;
}

/**
 * Exchanges the refresh cookie for new tokens. Concurrent callers share one
 * request: a refresh token works only once, so two at a time would end the
 * session. Resolves to null when the session is gone.
 */
export function refreshSession(): Promise<Tokens | null> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/api/v1/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: "{}",
        });
        if (!res.ok) return null;
        const t = (await res.json()) as Tokens;
        setTokens(t);
        onTokens(t);
        return t;
      } catch {
        return null;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const b = await res.json();
    // The API writes messages in lower case without a full stop (Go's style); people read sentences.
    const fields = Object.fromEntries(Object.entries(b.fields ?? {}).map(([k, v]) => [k, sentence(String(v))]));
    return new ApiError(res.status, b.code ?? "internal", sentence(b.message ?? res.statusText), fields, b.details);
  } catch {
    return new ApiError(res.status, "internal", `The server answered ${res.status}.`);
  }
}

export interface RequestOptions {
  method?: string;
  /** JSON-encoded unless it is a string, FormData or a Blob (then sent as is, with your Content-Type). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Return the raw Response (for CSV downloads, ETags). */
  raw?: boolean;
  signal?: AbortSignal;
}

/** Builds a query string from the set, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Calls the API under /api/v1 and returns the decoded JSON. Throws ApiError. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const isAuth = path.startsWith("/auth/login") || path.startsWith("/auth/refresh");
  const send = () => {
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.body instanceof FormData || opts.body instanceof Blob || typeof opts.body === "string") {
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
  // Refresh a little early rather than send a token about to expire.
  if (!isAuth && accessToken && Date.now() >= refreshAt) {
    await refreshSession();
  }
  let res: Response;
  try {
    res = await send();
    if (res.status === 401 && !isAuth && accessToken !== null) {
      if (await refreshSession()) {
        res = await send();
      } else {
        clearTokens();
        onSessionLost();
      }
    }
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "unavailable", "Cannot reach Skillgate. Check your connection and try again.");
  }
  if (!res.ok) throw await toError(res);
  if (opts.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}


/** The file name a Content-Disposition header gives, else fallback. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/**
 * Downloads a CSV report. The access token lives in memory, so a plain link
 * cannot carry it: fetch with the token, then save the body as a file.
 */
export async function downloadCSV(path: string, fallbackName: string): Promise<string> {
  return downloadFile(path, fallbackName, "text/csv");
}

/**
 * Downloads a file the API answers (a CSV report, a certificate's PDF, a
 * wallet credential) with the in-memory token and saves it under the name
 * its Content-Disposition gives, else fallbackName. Returns the name.
 */
export async function downloadFile(path: string, fallbackName: string, accept: string): Promise<string> {
  const res = await api<Response>(path, { raw: true, headers: { Accept: accept } });
  const blob = await res.blob();
  const name = filenameFrom(res.headers.get("Content-Disposition"), fallbackName);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}
