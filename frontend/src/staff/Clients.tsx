import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useClients } from "../api/hooks";
import { staff } from "../api/staff";
import type { Client } from "../api/types";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";

/** The client companies: create one before its content is imported, edit its name and description. */
export function Clients() {
  const clients = useClients();
  const [editing, setEditing] = useState<Client | "new" | null>(null);
  const [notice, setNotice] = useState("");
  return (
    <section>
      <div className="page-head">
        <h1>Clients</h1>
        <div className="actions"><button type="button" className="primary" onClick={() => setEditing("new")}>New client</button></div>
      </div>
      <p className="hint">The companies whose customers the center serves. A client's slug is its folder in the content library; importing content with the same slug fills it.</p>
      <p role="status" className="notice-line">{notice}</p>
      {clients.error && <p role="alert" className="error">{clients.error.message}</p>}
      {clients.isPending && <p className="loading" role="status">Loading clients…</p>}
      {clients.data?.length === 0 && <p>No clients yet.</p>}
      {!!clients.data?.length && (
        <table className="list">
          <caption className="sr-only">Clients</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Industry</th><th scope="col">Description</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {clients.data.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td><code>{c.slug}</code></td>
                <td>{c.industry}</td>
                <td className="clip">{c.description}</td>
                <td><button type="button" className="small" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>Edit</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <ClientDialog
          client={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(c, created) => { setEditing(null); setNotice(created ? `Created ${c.name}.` : `Saved ${c.name}.`); }}
        />
      )}
    </section>
  );
}

function ClientDialog({ client, onClose, onSaved }: { client: Client | null; onClose: () => void; onSaved: (c: Client, created: boolean) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState({ slug: client?.slug ?? "", name: client?.name ?? "", industry: client?.industry ?? "", description: client?.description ?? "" });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const save = useMutation({
    mutationFn: () => (client
      ? staff.updateClient(client.id, { name: f.name.trim(), industry: f.industry.trim(), description: f.description.trim() })
      : staff.createClient({ slug: f.slug.trim(), name: f.name.trim(), industry: f.industry.trim(), description: f.description.trim() })),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ["clients"] });
      onSaved(c, !client);
    },
  });
  const errs = formErrors(save.error, ["slug", "name", "industry", "description"]);
  const ref = useFocusOnError(save.error);
  return (
    <Dialog title={client ? `Edit ${client.name}` : "New client"} onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="Slug" hint={client ? "The slug cannot change." : "Lower-case letters, digits and dashes, e.g. fenmore-bank."} error={errs.fields.slug}>
          <input value={f.slug} onChange={set("slug")} readOnly={!!client} />
        </Field>
        <Field label="Name" error={errs.fields.name}><input value={f.name} onChange={set("name")} /></Field>
        <Field label="Industry" error={errs.fields.industry}><input value={f.industry} onChange={set("industry")} /></Field>
        <Field label="Description" error={errs.fields.description}><textarea rows={4} value={f.description} onChange={set("description")} /></Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : client ? "Save client" : "Create client"}</button>
        </div>
      </form>
    </Dialog>
  );
}
