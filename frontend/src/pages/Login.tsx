import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { Navigate, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { api } from "../api/client";
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

/** What the server says of how people may sign in (GET /auth/methods). */
interface Methods {
  password: boolean;
  provider?: string;
}

/** Why a sign-in with the identity provider came back without a session (?sso_error=). */
const SSO_ERRORS: Record<string, string> = {
  state: "That sign-in link expired or was already used. Start again.",
  provider: "The identity provider did not complete the sign-in. Try again, or ask your administrator.",
  token: "The identity provider's answer could not be verified. Try again, or ask your administrator.",
  not_linked: "There is no Skillgate account for you yet. Ask your administrator to create one with your work email address.",
  unverified: "Your identity provider has not verified your email address, so it cannot be matched to a Skillgate account.",
  deactivated: "Your Skillgate account is deactivated.",
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
  const [search] = useSearchParams();
  const ssoError = search.get("sso_error");
  const methods = useQuery({ queryKey: ["auth-methods"], queryFn: () => api<Methods>("/auth/methods"), staleTime: Infinity });
  const provider = methods.data?.provider;
  // With password sign-in off, the form is for break-glass admins only, behind a link.
  const [showPassword, setShowPassword] = useState(false);
  const passwordForm = methods.data?.password !== false || showPassword;

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
        {ssoError && (
          <p role="alert" className="error">
            {SSO_ERRORS[ssoError] ?? "The sign-in with your identity provider failed. Try again."}
          </p>
        )}
        {errors.summary && (
          <p role="alert" className="error" tabIndex={-1}>
            {errors.summary}
          </p>
        )}
        {provider && (
          <p className="sso">
            <a className="button" href="/api/v1/auth/oidc/start">Sign in with {provider}</a>
          </p>
        )}
        {passwordForm ? (
          <>
            {provider && <p className="divider">or with your email and password</p>}
            <Field label="Email" error={errors.fields.email}>
              <input type="email" autoComplete="username" value={email} required onChange={(e) => setEmail(e.target.value)} />
            </Field>
            <Field label="Password" error={errors.fields.password}>
              <input type="password" autoComplete="current-password" value={password} required onChange={(e) => setPassword(e.target.value)} />
            </Field>
            <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
          </>
        ) : (
          <p>
            <button type="button" className="link" onClick={() => setShowPassword(true)}>
              Administrator? Sign in with a password
            </button>
          </p>
        )}
      </form>
    </main>
  );
}
