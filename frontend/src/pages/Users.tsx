import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, query } from "../api/client";
import { ROLES, type Role, type User } from "../api/types";
import { AccountSource } from "../components/AccountSource";
import { useSession } from "../auth/session";
import { ClientPicker, useClientNames } from "../components/ClientPicker";
import { CsvErrors } from "../components/CsvErrors";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";

const PAGE = 50;

export function Users() {
  const { me } = useSession();
  const isAdmin = me?.role === "admin";
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const role = params.get("role") ?? "";
  const active = params.get("active") ?? "";
  const [search, setSearch] = useState(q);
  const [dialog, setDialog] = useState<"create" | "import" | null>(null);
  const [notice, setNotice] = useState("");
  const clientNames = useClientNames();

  const users = useInfiniteQuery({
    queryKey: ["users", { q, role, active }],
    queryFn: ({ pageParam }) =>
      api<{ users: User[]; next: string }>("/users" + query({ q, role, active, after: pageParam, limit: PAGE })),
    initialPageParam: "",
    getNextPageParam: (last) => last.next || undefined,
  });

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    setFilter("q", search.trim());
  }

  const rows = users.data?.pages.flatMap((p) => p.users) ?? [];
  return (
    <section>
      <div className="page-head">
        <h1>Users</h1>
        {isAdmin && (
          <div className="actions">
            <button type="button" onClick={() => setDialog("import")}>Import CSV</button>
            <button type="button" className="primary" onClick={() => setDialog("create")}>New user</button>
          </div>
        )}
      </div>
      <p role="status" className="notice-line">{notice}</p>

      <form className="filters" role="search" aria-label="Filter users" onSubmit={submitSearch}>
        <div className="field grow">
          <label htmlFor="user-q">Search</label>
          <input id="user-q" type="search" value={search} placeholder="Email, name or external id" onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="user-role">Role</label>
          <select id="user-role" value={role} onChange={(e) => setFilter("role", e.target.value)}>
            <option value="">Any role</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user-active">Status</label>
          <select id="user-active" value={active} onChange={(e) => setFilter("active", e.target.value)}>
            <option value="">Active and inactive</option>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>

      {users.isError && <p role="alert" className="error">{users.error.message}</p>}
      {users.isPending && <p className="loading" role="status">Loading users…</p>}
      {users.isSuccess && rows.length === 0 && <p>No users match.</p>}
      {rows.length > 0 && (
        <table className="list">
          <caption className="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>
              <th scope="col">Clients</th><th scope="col">External id</th><th scope="col">Comes from</th><th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id}>
                <td><Link to={`/admin/users/${u.id}`}>{u.display_name || "(no name)"}</Link></td>
                <td>{u.email}</td>
                <td>{u.role}</td>
                <td>{clientNames(u.client_ids) || "—"}</td>
                <td>{u.external_id || "—"}</td>
                <td><AccountSource user={u} /></td>
                <td>{u.active ? <span className="badge ok">Active</span> : <span className="badge off">Deactivated</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {users.hasNextPage && (
        <button type="button" className="more" disabled={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
          {users.isFetchingNextPage ? "Loading…" : "More users"}
        </button>
      )}

      {dialog === "create" && (
        <CreateUserDialog
          onClose={() => setDialog(null)}
          onCreated={(u) => {
            setDialog(null);
            setNotice(`Created ${u.email}.`);
          }}
        />
      )}
      {dialog === "import" && (
        <ImportDialog
          onClose={() => setDialog(null)}
          onImported={(n) => {
            setDialog(null);
            setNotice(`Imported ${n} ${n === 1 ? "user" : "users"}.`);
          }}
        />
      )}
    </section>
  );
}

const CREATE_FIELDS = ["email", "display_name", "role", "external_id", "password", "client_ids"] as const;

function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [externalID, setExternalID] = useState("");
  const [password, setPassword] = useState("");
  const [clientIDs, setClientIDs] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api<User>("/users", {
        method: "POST",
        body: {
          email, role, display_name: name, client_ids: clientIDs,
          ...(externalID.trim() ? { external_id: externalID.trim() } : {}),
          ...(password ? { password } : {}),
        },
      }),
    onSuccess: (u) => {
      void qc.invalidateQueries({ queryKey: ["users"] });
      onCreated(u);
    },
  });
  const errs = formErrors(create.error, CREATE_FIELDS);
  const formRef = useFocusOnError(create.error);
  return (
    <Dialog title="New user" onClose={onClose}>
      <form ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="Email" error={errs.fields.email}>
          <input type="email" autoComplete="off" value={email} required onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Display name" error={errs.fields.display_name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Role" error={errs.fields.role}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="External id" hint="The routing system's id for this agent (optional)." error={errs.fields.external_id}>
          <input value={externalID} onChange={(e) => setExternalID(e.target.value)} />
        </Field>
        <Field label="Password" hint="Optional: without one the user cannot sign in until you set one. At least 12 characters." error={errs.fields.password}>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ClientPicker value={clientIDs} onChange={setClientIDs} error={errs.fields.client_ids} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create user"}</button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (n: number) => void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const imp = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error("Choose a CSV file first.");
      const text = await file.text();
      return api<{ created: number }>("/users/import", { method: "POST", body: text, headers: { "Content-Type": "text/csv" } });
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ["users"] });
      onImported(r.created);
    },
  });
  const err = imp.error;
  const formRef = useFocusOnError(err);
  return (
    <Dialog title="Import users from CSV" onClose={onClose}>
      <form ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); imp.mutate(); }}>
        <p className="hint">
          The first row names the columns: <code>email</code> and <code>role</code> are required; <code>display_name</code>,{" "}
          <code>external_id</code> and <code>clients</code> (client slugs separated by <code>;</code>) are optional. All rows are
          imported, or none.
        </p>
        {err instanceof ApiError && err.code === "invalid" ? (
          <CsvErrors fields={err.fields} message={err.message} />
        ) : (
          err && <p role="alert" className="error">{err.message}</p>
        )}
        <Field label="CSV file">
          <input type="file" accept=".csv,text/csv" onChange={(e) => { setFile(e.target.files?.[0] ?? null); imp.reset(); }} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={imp.isPending || !file}>{imp.isPending ? "Importing…" : "Import"}</button>
        </div>
      </form>
    </Dialog>
  );
}
