import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api, ApiError } from "../api/client";
import { useSession, type Me } from "../auth/session";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";

export function Account() {
  const { me } = useSession();
  if (!me) return null;
  return (
    <section>
      <h1>My account</h1>
      <dl className="facts">
        <dt>Email</dt><dd>{me.email}</dd>
        <dt>Role</dt><dd>{me.role}</dd>
        {!!me.clients?.length && <><dt>Clients</dt><dd>{me.clients.map((c) => c.name).join(", ")}</dd></>}
      </dl>
      <div className="columns">
        <NameForm me={me} />
        <PasswordForm />
      </div>
    </section>
  );
}

function NameForm({ me }: { me: Me }) {
  const { setMe } = useSession();
  const [name, setName] = useState(me.display_name);
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: () => api<Me>("/me", { method: "PATCH", body: { display_name: name } }),
    onSuccess: (m) => {
      setMe(m);
      setDone(true);
    },
  });
  const errs = formErrors(save.error, ["display_name"]);
  const formRef = useFocusOnError(save.error);
  return (
    <form ref={formRef} className="panel" noValidate onSubmit={(e) => { e.preventDefault(); setDone(false); save.mutate(); }}>
      <h2>Display name</h2>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <Field label="Display name" error={errs.fields.display_name}>
        <input value={name} autoComplete="name" onChange={(e) => setName(e.target.value)} />
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save name"}</button>
        <span role="status">{done ? "Saved." : ""}</span>
      </div>
    </form>
  );
}

const PASSWORD_FIELDS = ["current_password", "new_password", "confirm"] as const;

function PasswordForm() {
  const { me, forget } = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const change = useMutation({
    mutationFn: async () => {
      if (next !== confirm) {
        throw new ApiError(400, "invalid", "The new passwords differ.", { confirm: "must repeat the new password exactly" });
      }
      await api("/auth/password", { method: "POST", body: { current_password: current, new_password: next } });
    },
    onSuccess: () => {
      // The server ended every session, this one too.
      forget("password");
    },
  });
  const errs = formErrors(change.error, PASSWORD_FIELDS);
  const formRef = useFocusOnError(change.error);
  return (
    <form ref={formRef} className="panel" noValidate onSubmit={(e) => { e.preventDefault(); change.mutate(); }}>
      <h2>Change password</h2>
      <p className="hint">Changing your password signs you out everywhere, here too.</p>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <input type="text" autoComplete="username" value={me?.email ?? ""} readOnly hidden />
      <Field label="Current password" error={errs.fields.current_password}>
        <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      </Field>
      <Field label="New password" hint="At least 12 characters; not a common password." error={errs.fields.new_password}>
        <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
      </Field>
      <Field label="Repeat the new password" error={errs.fields.confirm}>
        <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={change.isPending}>{change.isPending ? "Changing…" : "Change password"}</button>
      </div>
    </form>
  );
}
