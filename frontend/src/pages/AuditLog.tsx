import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, query } from "../api/client";
import type { AuditEntry } from "../api/types";
import { Dialog } from "../components/Dialog";
import { ErrorSummary } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDateTime, localInputToISO } from "../lib/format";

const FILTERS = ["actor_id", "action", "subject_type", "subject_id", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;
const PAGE = 50;

const LABELS: Record<Filter, { label: string; hint?: string; type?: string }> = {
  actor_id: { label: "Actor id", hint: "A user's or key's id." },
  action: { label: "Action", hint: "Exact, or a prefix ending in “.” such as user." },
  subject_type: { label: "Subject type", hint: "e.g. user, api_key" },
  subject_id: { label: "Subject id" },
  from: { label: "From", type: "datetime-local" },
  to: { label: "Before", type: "datetime-local" },
};

export function AuditLog() {
  const [params, setParams] = useSearchParams();
  const applied = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Filters;
  const [draft, setDraft] = useState<Filters>(applied);
  const [open, setOpen] = useState<AuditEntry | null>(null);

  const entries = useInfiniteQuery({
    queryKey: ["audit", applied],
    queryFn: ({ pageParam }) =>
      api<{ entries: AuditEntry[]; next_before_seq: number; people?: Record<string, AuditPerson> }>(
        "/audit" +
          query({
            actor_id: applied.actor_id, action: applied.action, subject_type: applied.subject_type, subject_id: applied.subject_id,
            from: localInputToISO(applied.from), to: localInputToISO(applied.to), before_seq: pageParam || undefined, limit: PAGE,
          }),
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => last.next_before_seq || undefined,
  });

  function apply(next: Filters) {
    const p = new URLSearchParams();
    for (const f of FILTERS) if (next[f].trim()) p.set(f, next[f].trim());
    setParams(p, { replace: true });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    apply(draft);
  }
  function filterBy(f: Filter, v: string) {
    const next = { ...applied, [f]: v };
    setDraft(next);
    apply(next);
  }

  const errs = formErrors(entries.error, FILTERS);
  // The users named on every page loaded, by id.
  const people: Record<string, AuditPerson> = Object.assign({}, ...(entries.data?.pages.map((p) => p.people ?? {}) ?? []));
  const rows = entries.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <section>
      <h1>Audit log</h1>
      <form className="filters wrap" aria-label="Filter the audit log" onSubmit={submit}>
        {FILTERS.map((f) => (
          <div className="field" key={f}>
            <label htmlFor={`audit-${f}`}>{LABELS[f].label}</label>
            <input
              id={`audit-${f}`}
              type={LABELS[f].type ?? "text"}
              value={draft[f]}
              aria-invalid={errs.fields[f] ? true : undefined}
              aria-describedby={errs.fields[f] ? `audit-${f}-error` : LABELS[f].hint ? `audit-${f}-hint` : undefined}
              onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
            />
            {LABELS[f].hint && !errs.fields[f] && <p id={`audit-${f}-hint`} className="hint">{LABELS[f].hint}</p>}
            {errs.fields[f] && <p id={`audit-${f}-error`} className="field-error">{errs.fields[f]}</p>}
          </div>
        ))}
        <div className="filter-buttons">
          <button type="submit">Apply filters</button>
          <button type="button" onClick={() => { const empty = Object.fromEntries(FILTERS.map((f) => [f, ""])) as Filters; setDraft(empty); apply(empty); }}>
            Clear
          </button>
        </div>
      </form>

      <ErrorSummary summary={errs.summary} other={errs.other} />
      {entries.isPending && <p className="loading" role="status">Loading entries…</p>}
      {entries.isSuccess && rows.length === 0 && <p>No entries match.</p>}
      {rows.length > 0 && (
        <table className="list audit">
          <caption className="sr-only">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th>
              <th scope="col">Subject</th><th scope="col"><span className="sr-only">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{formatDateTime(e.at)}</td>
                <td>
                  <Who kind={e.actor_kind} id={e.actor_id} person={e.actor_kind === "user" ? people[e.actor_id] : undefined}
                    title="Show only this actor" onFilter={() => filterBy("actor_id", e.actor_id)} />
                </td>
                <td><code>{e.action}</code></td>
                <td>
                  <Who kind={e.subject_type} id={e.subject_id} person={e.subject_type === "user" ? people[e.subject_id] : undefined}
                    title="Show only this subject" onFilter={() => filterBy("subject_id", e.subject_id)} />
                </td>
                <td><button type="button" className="small" onClick={() => setOpen(e)} aria-label={`Details of entry ${e.seq}`}>Details</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.hasNextPage && (
        <button type="button" className="more" disabled={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
          {entries.isFetchingNextPage ? "Loading…" : "Older entries"}
        </button>
      )}
      {open && <EntryDrawer entry={open} people={people} onClose={() => setOpen(null)} />}
    </section>
  );
}

function short(id: string) {
  return /^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) : id;
}

interface AuditPerson {
  email: string;
  display_name: string;
}

function personName(p: AuditPerson) {
  return p.display_name || p.email;
}

/** An actor or subject: a user by name with a link to their page, anything else by kind and short id; the button filters by it. */
function Who({ kind, id, person, title, onFilter }: { kind: string; id: string; person?: AuditPerson; title: string; onFilter: () => void }) {
  if (!person) {
    return <button type="button" className="link" title={title} onClick={onFilter}>{kind}:{short(id)}</button>;
  }
  const name = personName(person);
  return (
    <>
      <button type="button" className="link" title={`${title} (${person.email})`} onClick={onFilter}>{name}</button>{" "}
      <Link to={`/admin/users/${id}`} className="hint" aria-label={`${name}: user page`}>user page</Link>
    </>
  );
}

function EntryDrawer({ entry, people, onClose }: { entry: AuditEntry; people: Record<string, AuditPerson>; onClose: () => void }) {
  const actor = entry.actor_kind === "user" ? people[entry.actor_id] : undefined;
  const subject = entry.subject_type === "user" ? people[entry.subject_id] : undefined;
  return (
    <Dialog title={`Entry ${entry.seq}: ${entry.action}`} onClose={onClose} variant="drawer">
      <dl className="facts">
        <dt>When</dt><dd>{formatDateTime(entry.at)} <span className="hint">({entry.at})</span></dd>
        <dt>Actor</dt><dd>{actor && <><Link to={`/admin/users/${entry.actor_id}`}>{personName(actor)}</Link> &lt;{actor.email}&gt;<br /></>}{entry.actor_kind} <code>{entry.actor_id}</code></dd>
        <dt>Subject</dt><dd>{subject && <><Link to={`/admin/users/${entry.subject_id}`}>{personName(subject)}</Link> &lt;{subject.email}&gt;<br /></>}{entry.subject_type} <code>{entry.subject_id}</code></dd>
        {entry.client_id && <><dt>Client</dt><dd><code>{entry.client_id}</code></dd></>}
        {entry.request_id && <><dt>Request</dt><dd><code>{entry.request_id}</code></dd></>}
      </dl>
      <h3>Before</h3>
      <pre className="json" tabIndex={0} aria-label="Before, as JSON">{entry.before === undefined || entry.before === null ? "—" : JSON.stringify(entry.before, null, 2)}</pre>
      <h3>After</h3>
      <pre className="json" tabIndex={0} aria-label="After, as JSON">{entry.after === undefined || entry.after === null ? "—" : JSON.stringify(entry.after, null, 2)}</pre>
    </Dialog>
  );
}
