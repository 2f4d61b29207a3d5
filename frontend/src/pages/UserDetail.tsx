import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { ROLES, type Role, type User } from "../api/types";
import { AccountSource } from "../components/AccountSource";
import { useSession } from "../auth/session";
import { ClientPicker, useClientNames } from "../components/ClientPicker";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { UserContinuingEducation } from "../staff/ContinuingEducation";
import { UserEnrollments } from "../staff/Enrollments";
import { personLabel } from "../staff/logic";
import { UserLicenses, useMayOversee } from "../staff/Oversight";
import { UserCertificates } from "../training/Certificates";

export function UserDetail() {
  const { id = "" } = useParams();
  const { me } = useSession();
  const isAdmin = me?.role === "admin";
  // Trainers and supervisors reach the page from a program or a cohort; the list of users is not theirs.
  const back = me?.role === "admin" || me?.role === "compliance" ? <p><Link to="/admin/users">← Users</Link></p> : null;
  const user = useQuery({ queryKey: ["user", id], queryFn: () => api<User>(`/users/${id}`) });
  const clientNames = useClientNames();
  const mayOversee = useMayOversee();

  if (user.isPending) return <p className="loading" role="status">Loading…</p>;
  if (user.isError) {
    return (
      <section>
        {back}
        <p role="alert" className="error">{user.error.message}</p>
      </section>
    );
  }
  const u = user.data;
  return (
    <section>
      {back}
      <div className="page-head">
        <h1>{u.display_name || u.email}</h1>
        {u.active ? <span className="badge ok">Active</span> : <span className="badge off">Deactivated {formatDateTime(u.deactivated_at)}</span>}
      </div>
      {isAdmin ? (
        <div className="columns">
          <ProfileForm user={u} self={u.id === me?.id} />
          <div>
            <MembershipsForm user={u} />
            <ActivationPanel user={u} self={u.id === me?.id} />
          </div>
        </div>
      ) : (
        <dl className="facts">
          <dt>Email</dt><dd>{u.email}</dd>
          <dt>Role</dt><dd>{u.role}</dd>
          <dt>External id</dt><dd>{u.external_id || "—"}</dd>
          <dt>Comes from</dt><dd><AccountSource user={u} /></dd>
          <dt>Clients</dt><dd>{clientNames(u.client_ids) || "—"}</dd>
          <dt>Created</dt><dd>{formatDateTime(u.created_at)}</dd>
        </dl>
      )}
      {u.role === "agent" && <UserEnrollments user={u} />}
      {u.role === "agent" && <UserCertificates userID={u.id} />}
      {u.role === "agent" && mayOversee && <UserLicenses userID={u.id} who={personLabel(u)} />}
      {u.role === "agent" && (me?.role === "compliance" || isAdmin) && <UserContinuingEducation userID={u.id} canRecord={me?.role === "compliance"} />}
    </section>
  );
}

/** Puts a changed user into the caches the pages read. */
function useUserSaved() {
  const qc = useQueryClient();
  return (u: User) => {
    qc.setQueryData(["user", u.id], u);
    void qc.invalidateQueries({ queryKey: ["users"] });
  };
}

const PROFILE_FIELDS = ["email", "display_name", "role", "external_id"] as const;

function ProfileForm({ user, self }: { user: User; self: boolean }) {
  const saved = useUserSaved();
  const [email, setEmail] = useState(user.email);
  const [name, setName] = useState(user.display_name);
  const [role, setRole] = useState<Role>(user.role);
  const [externalID, setExternalID] = useState(user.external_id ?? "");
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, string> = {};
      if (email !== user.email) body.email = email;
      if (name !== user.display_name) body.display_name = name;
      if (role !== user.role) body.role = role;
      if (externalID.trim() !== (user.external_id ?? "")) body.external_id = externalID.trim();
      return api<User>(`/users/${user.id}`, { method: "PATCH", body });
    },
    onSuccess: (u) => {
      saved(u);
      setDone(true);
    },
  });
  const errs = formErrors(save.error, PROFILE_FIELDS);
  const formRef = useFocusOnError(save.error);
  return (
    <form ref={formRef} className="panel" noValidate onSubmit={(e) => { e.preventDefault(); setDone(false); save.mutate(); }}>
      <h2>Profile</h2>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <Field label="Email" error={errs.fields.email}>
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Display name" error={errs.fields.display_name}>
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Role" error={errs.fields.role} hint={self ? "You cannot change your own role." : undefined}>
        <select value={role} disabled={self} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </Field>
      <Field label="External id" hint="The routing system's id; empty clears it." error={errs.fields.external_id}>
        <input value={externalID} onChange={(e) => setExternalID(e.target.value)} />
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save profile"}</button>
        <span role="status">{done ? "Saved." : ""}</span>
      </div>
    </form>
  );
}

function MembershipsForm({ user }: { user: User }) {
  const saved = useUserSaved();
  const [ids, setIDs] = useState(user.client_ids);
  const [done, setDone] = useState(false);
  useEffect(() => setIDs(user.client_ids), [user.client_ids]);
  const save = useMutation({
    mutationFn: () => api<User>(`/users/${user.id}/memberships`, { method: "PUT", body: { client_ids: ids } }),
    onSuccess: (u) => {
      saved(u);
      setDone(true);
    },
  });
  const errs = formErrors(save.error, ["client_ids"]);
  return (
    <form className="panel" noValidate onSubmit={(e) => { e.preventDefault(); setDone(false); save.mutate(); }}>
      <h2>Clients</h2>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <ClientPicker value={ids} onChange={setIDs} error={errs.fields.client_ids} legend="Member of" />
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save memberships"}</button>
        <span role="status">{done ? "Saved." : ""}</span>
      </div>
    </form>
  );
}

function ActivationPanel({ user, self }: { user: User; self: boolean }) {
  const saved = useUserSaved();
  const [confirming, setConfirming] = useState(false);
  const action = user.active ? "deactivate" : "reactivate";
  const change = useMutation({
    mutationFn: () => api<User>(`/users/${user.id}/${action}`, { method: "POST" }),
    onSuccess: (u) => {
      saved(u);
      setConfirming(false);
    },
  });
  // The identity provider deleted the account: only it brings the account back, so nothing here offers to.
  const providerDeleted = !user.active && !!user.scim_deleted_at;
  return (
    <div className="panel">
      <h2>Access</h2>
      <dl className="facts">
        <dt>Comes from</dt><dd><AccountSource user={user} /></dd>
      </dl>
      {providerDeleted ? (
        <p>This user cannot sign in. Assign them to Skillgate again at the identity provider to bring the account back, with its history.</p>
      ) : user.active ? (
        <p>Deactivating ends every session at once; the user can no longer sign in. Users are never deleted.</p>
      ) : (
        <p>This user cannot sign in. Reactivating lets them sign in again with their password.</p>
      )}
      {change.isError && !confirming && <p role="alert" className="error">{change.error.message}</p>}
      {!providerDeleted && (
        <button type="button" className={user.active ? "danger" : ""} disabled={self && user.active} onClick={() => setConfirming(true)}>
          {user.active ? "Deactivate user" : "Reactivate user"}
        </button>
      )}
      {self && user.active && <p className="hint">You cannot deactivate yourself.</p>}
      {confirming && (
        <Dialog title={user.active ? "Deactivate this user?" : "Reactivate this user?"} onClose={() => setConfirming(false)}>
          <p>
            {user.active
              ? `${user.email} will be signed out everywhere and cannot sign in until reactivated.`
              : `${user.email} will be able to sign in again.`}
          </p>
          {change.isError && <p role="alert" className="error">{change.error.message}</p>}
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
            <button type="button" className={user.active ? "danger" : "primary"} disabled={change.isPending} onClick={() => change.mutate()}>
              {user.active ? "Deactivate" : "Reactivate"}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
