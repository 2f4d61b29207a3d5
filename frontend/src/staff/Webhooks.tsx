import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router-dom";
import { EVENT_TYPES, staff, type Delivery, type DeliveryStatus, type EventType, type Webhook, type WebhookWithSecret } from "../api/staff";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { SecretPanel } from "../components/SecretPanel";
import { formErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";

const EVENT_LABEL: Record<EventType, string> = {
  "eligibility.changed": "An agent's eligibility for a program changed",
  "certification.changed": "A certification changed state",
  "license.changed": "A license was verified, rejected, revoked or expired",
  "appointment.changed": "A carrier's appointment of an agent was requested, activated or terminated",
};

function WebhookSecret({ hook, onDone }: { hook: WebhookWithSecret; onDone: () => void }) {
  return (
    <SecretPanel title={`Copy the signing secret for ${hook.url} now`} noun="signing secret" secret={hook.secret} onDone={onDone}>
      <strong>This is the only time the secret is shown.</strong> The receiver checks each delivery's Skillgate-Signature with it. If you lose it, rotate it.
    </SecretPanel>
  );
}

/** The webhook subscriptions: create one (its secret is shown once), open one to manage it. */
export function Webhooks() {
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: staff.webhooks });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);
  return (
    <section>
      <div className="page-head">
        <h1>Webhooks</h1>
        <div className="actions"><button type="button" className="primary" onClick={() => { setCreated(null); setCreating(true); }}>New webhook</button></div>
      </div>
      <p className="hint">Skillgate posts signed events to these URLs (the routing system subscribes to eligibility changes). Delivery is at least once; retries back off for up to a day.</p>
      {created && <WebhookSecret hook={created} onDone={() => setCreated(null)} />}
      {hooks.error && <p role="alert" className="error">{hooks.error.message}</p>}
      {hooks.isPending && <p className="loading" role="status">Loading webhooks…</p>}
      {hooks.data?.length === 0 && <p>No webhooks yet.</p>}
      {!!hooks.data?.length && (
        <table className="list">
          <caption className="sr-only">Webhooks</caption>
          <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Description</th><th scope="col">Status</th><th scope="col">Secret rotated</th></tr></thead>
          <tbody>
            {hooks.data.map((h) => (
              <tr key={h.id}>
                <td><Link to={`/admin/webhooks/${h.id}`}>{h.url}</Link></td>
                <td>{h.event_types.join(", ")}</td>
                <td>{h.description || "—"}</td>
                <td>{h.active ? <span className="badge ok">Active</span> : <span className="badge off">Paused</span>}</td>
                <td>{formatDateTime(h.secret_rotated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <WebhookDialog hook={null} onClose={() => setCreating(false)} onSaved={(h) => { setCreating(false); setCreated(h as WebhookWithSecret); }} />}
    </section>
  );
}

/** Creates (hook null) or edits a webhook. */
function WebhookDialog({ hook, onClose, onSaved }: { hook: Webhook | null; onClose: () => void; onSaved: (h: Webhook | WebhookWithSecret) => void }) {
  const qc = useQueryClient();
  const [url, setURL] = useState(hook?.url ?? "");
  const [description, setDescription] = useState(hook?.description ?? "");
  const [events, setEvents] = useState<EventType[]>(hook?.event_types ?? ["eligibility.changed"]);
  const [active, setActive] = useState(hook?.active ?? true);
  const save = useMutation({
    mutationFn: () => {
      const body = { url: url.trim(), event_types: events, description: description.trim(), active };
      return hook ? staff.updateWebhook(hook.id, body) : staff.createWebhook(body);
    },
    onSuccess: (h) => {
      void qc.invalidateQueries({ queryKey: ["webhooks"] });
      void qc.invalidateQueries({ queryKey: ["webhook", h.id] });
      onSaved(h);
    },
  });
  const errs = formErrors(save.error, ["url", "event_types", "description", "active"]);
  const ref = useFocusOnError(save.error);
  return (
    <Dialog title={hook ? "Edit webhook" : "New webhook"} onClose={onClose}>
      <form ref={ref} noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="URL" hint="Where Skillgate posts the events; https in production." error={errs.fields.url}>
          <input type="url" value={url} onChange={(e) => setURL(e.target.value)} placeholder="https://acd.example.com/skillgate/events" />
        </Field>
        <fieldset className="checks one-col" aria-invalid={errs.fields.event_types ? true : undefined} aria-describedby={errs.fields.event_types ? "event-types-error" : undefined}>
          <legend>Events</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={events.includes(t)} onChange={(e) => setEvents(e.target.checked ? [...events, t] : events.filter((x) => x !== t))} />
              <span><code>{t}</code> — {EVENT_LABEL[t]}</span>
            </label>
          ))}
          {errs.fields.event_types && <p id="event-types-error" className="field-error">{errs.fields.event_types}</p>}
        </fieldset>
        <Field label="Description" hint="Optional: who receives it." error={errs.fields.description}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
        </Field>
        <label className="check"><input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active (paused webhooks keep their deliveries until resumed)</label>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : hook ? "Save webhook" : "Create webhook"}</button>
        </div>
      </form>
    </Dialog>
  );
}

const STATUS_BADGE: Record<DeliveryStatus, string> = { pending: "warn", sending: "warn", succeeded: "ok", failed: "bad" };

/** One webhook: edit, ping, rotate its secret, delete it, and its delivery log with replay. */
export function WebhookDetail() {
  const { id = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const hook = useQuery({ queryKey: ["webhook", id], queryFn: () => staff.webhook(id) });
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const deliveries = useQuery({ queryKey: ["deliveries", id, status], queryFn: () => staff.deliveries(id, status || undefined), staleTime: 0 });
  const [dialog, setDialog] = useState<"edit" | "rotate" | "delete" | null>(null);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [open, setOpen] = useState<Delivery | null>(null);
  const [notice, setNotice] = useState("");
  const refreshLog = () => void qc.invalidateQueries({ queryKey: ["deliveries", id] });
  const ping = useMutation({
    mutationFn: () => staff.ping(id),
    onSuccess: (d) => {
      setNotice(d.status === "succeeded" ? `Ping delivered (HTTP ${d.last_status_code}).` : `Ping failed: ${d.last_error || `HTTP ${d.last_status_code}`}.`);
      refreshLog();
    },
  });
  const replay = useMutation({
    mutationFn: (d: Delivery) => staff.replayDelivery(d.id),
    onSuccess: (d) => {
      setNotice(d.status === "succeeded" ? `Delivered ${d.event_type} ${d.event_id.slice(0, 8)} again.` : `Sending again failed: ${d.last_error || `HTTP ${d.last_status_code}`}; it will be retried.`);
      refreshLog();
    },
  });
  if (hook.error) return <p role="alert" className="error">{hook.error.message}</p>;
  if (!hook.data) return <p className="loading" role="status">Loading the webhook…</p>;
  const h = hook.data;
  return (
    <section>
      <p><Link to="/admin/webhooks">← Webhooks</Link></p>
      <div className="page-head">
        <h1 className="url-title">{h.url}</h1>
        <div className="actions">
          <button type="button" onClick={() => setDialog("edit")}>Edit</button>
          <button type="button" onClick={() => { setNotice(""); ping.mutate(); }} disabled={ping.isPending}>{ping.isPending ? "Pinging…" : "Send ping"}</button>
          <button type="button" onClick={() => setDialog("rotate")}>Rotate secret</button>
          <button type="button" className="danger" onClick={() => setDialog("delete")}>Delete</button>
        </div>
      </div>
      <dl className="facts">
        <dt>Status</dt><dd>{h.active ? "Active" : "Paused"}</dd>
        <dt>Events</dt><dd>{h.event_types.join(", ")}</dd>
        <dt>Description</dt><dd>{h.description || "—"}</dd>
        <dt>Secret rotated</dt><dd>{formatDateTime(h.secret_rotated_at)}</dd>
      </dl>
      <p role="status" className="notice-line">{notice}</p>
      {(ping.error ?? replay.error) && <p role="alert" className="error">{(ping.error ?? replay.error)!.message}</p>}
      {secret && <WebhookSecret hook={secret} onDone={() => setSecret(null)} />}

      <h2>Delivery log</h2>
      <div className="filters">
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | "")}>
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="sending">Sending</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
          </select>
        </Field>
        <button type="button" onClick={refreshLog}>Refresh</button>
      </div>
      {deliveries.error && <p role="alert" className="error">{deliveries.error.message}</p>}
      {deliveries.isPending && <p className="loading" role="status">Loading deliveries…</p>}
      {deliveries.data?.length === 0 && <p>No deliveries{status ? ` with status ${status}` : ""}.</p>}
      {!!deliveries.data?.length && (
        <table className="list">
          <caption className="sr-only">Deliveries, newest first</caption>
          <thead><tr><th scope="col">Event</th><th scope="col">Occurred</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {deliveries.data.map((d) => (
              <tr key={d.id}>
                <td><button type="button" className="link" onClick={() => setOpen(d)} aria-label={`Details of ${d.event_type} ${d.event_id}`}>{d.event_type}</button><br /><span className="hint"><code>{d.event_id.slice(0, 8)}</code></span></td>
                <td>{formatDateTime(d.occurred_at)}</td>
                <td><span className={`badge ${STATUS_BADGE[d.status]}`}>{d.status}</span></td>
                <td>{d.attempts}</td>
                <td>{d.last_status_code ? `HTTP ${d.last_status_code}` : ""}{d.last_error && <><br /><span className="hint">{d.last_error}</span></>}{!d.last_status_code && !d.last_error && "—"}</td>
                <td>{d.status === "pending" ? formatDateTime(d.next_attempt_at) : "—"}</td>
                <td>
                  {d.event_type !== "ping" && d.status !== "sending" && (
                    <button type="button" className="small" disabled={replay.isPending} onClick={() => { setNotice(""); replay.mutate(d); }} aria-label={`Send ${d.event_type} ${d.event_id.slice(0, 8)} again`}>Send again</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {dialog === "edit" && <WebhookDialog hook={h} onClose={() => setDialog(null)} onSaved={() => { setDialog(null); setNotice("Saved the webhook."); }} />}
      {dialog === "rotate" && <RotateDialog hook={h} onClose={() => setDialog(null)} onRotated={(s) => { setDialog(null); setSecret(s); }} />}
      {dialog === "delete" && (
        <ConfirmDialog
          title="Delete this webhook?"
          body={<><strong>{h.url}</strong> stops receiving events, and its delivery log is removed. This cannot be undone.</>}
          action="Delete webhook"
          run={() => staff.deleteWebhook(h.id)}
          onClose={() => setDialog(null)}
          onDone={() => { void qc.invalidateQueries({ queryKey: ["webhooks"] }); navigate("/admin/webhooks"); }}
        />
      )}
      {open && <DeliveryDrawer delivery={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function RotateDialog({ hook, onClose, onRotated }: { hook: Webhook; onClose: () => void; onRotated: (h: WebhookWithSecret) => void }) {
  const qc = useQueryClient();
  const rotate = useMutation({
    mutationFn: () => staff.rotateSecret(hook.id),
    onSuccess: (h) => {
      void qc.invalidateQueries({ queryKey: ["webhook", hook.id] });
      onRotated(h);
    },
  });
  return (
    <Dialog title="Rotate the signing secret?" onClose={onClose}>
      <p>The current secret stops working at once: deliveries from now on are signed with the new one. Update the receiver right after.</p>
      {rotate.isError && <p role="alert" className="error">{rotate.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={rotate.isPending} onClick={() => rotate.mutate()}>Rotate secret</button>
      </div>
    </Dialog>
  );
}

function ConfirmDialog({ title, body, action, run, onClose, onDone }: { title: string; body: React.ReactNode; action: string; run: () => Promise<unknown>; onClose: () => void; onDone: () => void }) {
  const m = useMutation({ mutationFn: run, onSuccess: onDone });
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{body}</p>
      {m.isError && <p role="alert" className="error">{m.error.message}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger" disabled={m.isPending} onClick={() => m.mutate()}>{action}</button>
      </div>
    </Dialog>
  );
}

function DeliveryDrawer({ delivery, onClose }: { delivery: Delivery; onClose: () => void }) {
  const d = useQuery({ queryKey: ["delivery", delivery.id], queryFn: () => staff.delivery(delivery.id) });
  return (
    <Dialog title={`${delivery.event_type} ${delivery.event_id.slice(0, 8)}`} variant="drawer" onClose={onClose}>
      {d.error && <p role="alert" className="error">{d.error.message}</p>}
      {d.isPending && <p className="loading" role="status">Loading…</p>}
      {d.data && (
        <>
          <dl className="facts">
            <dt>Event id</dt><dd><code>{d.data.event_id}</code></dd>
            <dt>Status</dt><dd>{d.data.status}</dd>
            <dt>Occurred</dt><dd>{formatDateTime(d.data.occurred_at)}</dd>
          </dl>
          <h3>Payload</h3>
          <pre className="json">{JSON.stringify(d.data.payload, null, 2)}</pre>
          <h3>Attempts</h3>
          {d.data.history.length === 0 ? <p>Not attempted yet.</p> : (
            <ol className="history">
              {d.data.history.map((a) => (
                <li key={a.id}>
                  {formatDateTime(a.at)} — {a.status_code ? `HTTP ${a.status_code}` : "no answer"} in {a.duration_ms} ms{a.error && <>: {a.error}</>}
                  {a.response_excerpt && <pre className="json">{a.response_excerpt}</pre>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </Dialog>
  );
}
