import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../api/client";
import type { Schemas } from "../api/openapi";
import { formatDateTime } from "../lib/format";

export type Attention = Schemas["Attention"];
export type AttentionSection = Schemas["AttentionSection"];

/** How an item's `at` reads, per section (absent: not shown). */
const AT_LABEL: Partial<Record<AttentionSection["kind"], string>> = {
  reviews_waiting: "finished",
  verification_queue: "submitted",
  eligibility_ending: "until",
  webhooks_failing: "last tried",
};

/** The staff home: what needs attention today, by role, each item a link to where it is handled. */
export function StaffHome() {
  const q = useQuery({ queryKey: ["attention"], queryFn: () => api<Attention>("/me/attention"), staleTime: 0 });
  if (q.isPending) return <p className="loading" role="status">Loading what needs your attention…</p>;
  if (q.isError) return <p role="alert" className="error">Cannot load what needs your attention: {q.error.message}</p>;
  const open = q.data.sections.filter((s) => s.count > 0);
  const clear = q.data.sections.filter((s) => s.count === 0);
  return (
    <>
      <p className="hint">
        {open.length === 0 ? "Nothing needs your attention right now." : `${open.length} of ${q.data.sections.length} lists need your attention.`} As of {formatDateTime(q.data.as_of)}.
      </p>
      <div className="attention">
        {open.map((s) => <SectionPanel key={s.kind} s={s} />)}
      </div>
      {clear.length > 0 && (
        <section aria-labelledby="clear-h" className="panel">
          <h2 id="clear-h">All clear</h2>
          <ul className="plain">
            {clear.map((s) => (
              <li key={s.kind}><Link to={s.link}>{s.title}</Link>: none{s.note ? <span className="hint"> · {s.note}</span> : null}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function SectionPanel({ s }: { s: AttentionSection }) {
  const id = `att-${s.kind}`;
  const atLabel = AT_LABEL[s.kind];
  return (
    <section className="panel attention-section" aria-labelledby={id}>
      <h2 id={id}>
        <span className="badge bad attention-count">{s.count}</span> {s.title}
      </h2>
      {s.note && <p className="hint">{s.note}</p>}
      <ul className="attention-items">
        {s.items.map((it, i) => (
          <li key={`${it.link}-${i}`}>
            <Link to={it.link}>{it.name}</Link>
            {it.email && it.email !== it.name && <span className="hint"> {it.email}</span>}
            <p className="hint">
              {it.detail}
              {atLabel && it.at && <> · {atLabel} {formatDateTime(it.at)}</>}
            </p>
          </li>
        ))}
      </ul>
      {s.count > s.items.length && <p><Link to={s.link}>See all {s.count}</Link></p>}
    </section>
  );
}
