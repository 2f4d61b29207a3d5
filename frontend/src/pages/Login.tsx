import { useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { Field, useFocusOnError } from "../components/Field";
import { formErrors, NO_ERRORS, type FormErrors } from "../lib/errors";
import { useSession } from "../auth/session";

interface LoginState {
  from?: string;
}

const ENDED = {
  signout: "You are signed out.",
  password: "Your password was changed. Sign in with the new one.",
  lost: "Your session ended. Sign in again to continue.",
};

export function Login() {
  const { me, loading, endedBy, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state as LoginState | null) ?? {};
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  // After a failed try, focus goes to the first field to fix, else to the message.
  const formRef = useFocusOnError(errors === NO_ERRORS ? null : errors);

  if (!loading && me) return <Navigate to={state.from ?? "/"} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = "Enter your email address.";
    if (!password) missing.password = "Enter your password.";
    if (Object.keys(missing).length) {
      setErrors({ fields: missing, summary: null, other: [] });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await signIn(email, password);
      navigate(state.from ?? "/", { replace: true });
    } catch (err) {
      setErrors(formErrors(err, ["email", "password"]));
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" noValidate ref={formRef}>
        <h1 id="login-title">Sign in to Skillgate</h1>
        {endedBy && <p className="notice" role="status">{ENDED[endedBy]}</p>}
        {errors.summary && (
          <p role="alert" className="error" tabIndex={-1}>
            {errors.summary}
          </p>
        )}
        <Field label="Email" error={errors.fields.email}>
          <input type="email" autoComplete="username" value={email} required onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" error={errors.fields.password}>
          <input type="password" autoComplete="current-password" value={password} required onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
