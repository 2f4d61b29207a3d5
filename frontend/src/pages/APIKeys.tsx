import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { SCOPES, type APIKey, type Scope } from "../api/types";
import { Dialog } from "../components/Dialog";
import { SecretPanel } from "../components/SecretPanel";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime } from "../lib/format";

type NewKey = APIKey & { key: string };

export function APIKeys() {
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => api<{ api_keys: APIKey[] }>("/api-keys").then((r) => r.api_keys) });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewKey | null>(null);
  const [revoking, setRevoking] = useState<APIKey | null>(null);

  return (
    <section>
      <div className="page-head">
        <h1>API keys</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => { setCreated(null); setCreating(true); }}>New API key</button>
        </div>
      </div>
      <p className="hint">Keys let machines, such as the routing system, call Skillgate. A key's secret is shown once, when it is created.</p>

      {created && <KeySecret created={created} onDone={() => setCreated(null)} />}

      {keys.isError && <p role="alert" className="error">{keys.error.message}</p>}
      {keys.isPending && <p className="loading" role="status">Loading keys…</p>}
      {keys.data?.length === 0 && <p>No API keys yet.</p>}
      {!!keys.data?.length && (
        <table className="list">
          <caption className="sr-only">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th>
              <th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => {
              const expired = !!k.expires_at && new Date(k.expires_at) <= new Date();
              return (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td><code>{k.prefix}</code></td>
                  <td>{k.scopes.join(", ")}</td>
                  <td>{formatDate(k.created_at)}</td>
                  <td>{k.last_used_at ? formatDateTime(k.last_used_at) : "Never"}</td>
                  <td>{k.expires_at ? formatDate(k.expires_at) : "Never"}</td>
                  <td>
                    {k.revoked_at ? <span className="badge off">Revoked</span> : expired ? <span className="badge off">Expired</span> : <span className="badge ok">Active</span>}
                  </td>
                  <td>
                    {!k.revoked_at && (
                      <button type="button" className="danger small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {creating && (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
          }}
        />
      )}
      {revoking && <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

/** The new key's secret, shown this once. */
function KeySecret({ created, onDone }: { created: NewKey; onDone: () => void }) {
  return (
    <SecretPanel title={`Copy the key for “${created.name}” now`} noun="API key" secret={created.key} onDone={onDone}>
      <strong>This is the only time the key is shown.</strong> Skillgate keeps only a hash of it; if you lose it, revoke it and create another.
    </SecretPanel>
  );
}

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (k: NewKey) => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["eligibility:read"]);
  const [expires, setExpires] = useState("");
  const create = useMutation({
    mutationFn: () => {
      // The key works through the whole chosen day, in this browser's time zone.
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
      return api<NewKey>("/api-keys", { method: "POST", body: { name, scopes, ...(expiresAt ? { expires_at: expiresAt } : {}) } });
    },
    onSuccess: (k) => {
      void qc.invalidateQueries({ queryKey: ["api-keys"] });
      onCreated(k);
    },
  });
  const errs = formErrors(create.error, ["name", "scopes", "expires_at"]);
  const formRef = useFocusOnError(create.error);
  return (
    <Dialog title="New API key" onClose={onClose}>
      <form ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="Name" hint="Who or what uses the key, e.g. “ACD production”." error={errs.fields.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <fieldset className="checks one-col" aria-invalid={errs.fields.scopes ? true : undefined} aria-describedby={errs.fields.scopes ? "scopes-error" : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(s.scope)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s.scope] : scopes.filter((x) => x !== s.scope))}
              />
              <code>{s.scope}</code> — {s.label}
            </label>
          ))}
          {errs.fields.scopes && <p id="scopes-error" className="field-error">{errs.fields.scopes}</p>}
        </fieldset>
        <Field label="Expires" hint="Optional. The key stops working after this day." error={errs.fields.expires_at}>
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create key"}</button>
        </div>
      </form>
    </Dialog>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: APIKey; onClose: () => void }) {
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api(`/api-keys/${apiKey.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["api-keys"] });
      onClose();
    },
  });
  return (
    <Dialog title="Revoke this key?" onClose={onClose}>
      <p>
        <strong>{apiKey.name}</strong> (<code>{apiKey.prefix}</code>) stops working at once. Whatever uses it will be refused. This
        cannot be undone.
      </p>
      {revoke.isError && <p role="alert" className="error">{revoke.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>Revoke key</button>
      </div>
    </Dialog>
  );
}
