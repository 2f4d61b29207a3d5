import { useState, type FormEvent } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { ApiError } from "../api/client";
import { useSession } from "../auth/session";

export function Login() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      const from = (location.state as { from?: string } | null)?.from ?? "/";
      navigate(from, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "internal", String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in to Skillgate</h1>
        {error && !Object.keys(error.fields).length && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" value={email} required
          aria-invalid={!!error?.fields.email} aria-describedby={error?.fields.email ? "email-error" : undefined}
          onChange={(e) => setEmail(e.target.value)} />
        {error?.fields.email && <p id="email-error" className="field-error">{error.fields.email}</p>}
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" value={password} required
          aria-invalid={!!error?.fields.password} aria-describedby={error?.fields.password ? "password-error" : undefined}
          onChange={(e) => setPassword(e.target.value)} />
        {error?.fields.password && <p id="password-error" className="field-error">{error.fields.password}</p>}
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
