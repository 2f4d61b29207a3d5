import { Link } from "react-router-dom";
import { useClients } from "../api/hooks";
import { useMyCertifications } from "./certifications";
import { certDates } from "../pages/agenda";
import { KIND_LABEL, ProgressBar } from "./StepStatus";
import { useQuery } from "@tanstack/react-query";
import { certificates } from "../api/certificates";
import { CertificateHistory } from "./Certificates";

const STATE: Record<string, { label: string; badge: string }> = {
  in_training: { label: "In training", badge: "off" },
  certified: { label: "Certified", badge: "ok" },
  refresher_due: { label: "Refresher due", badge: "warn" },
  expired: { label: "Expired", badge: "bad" },
  revoked: { label: "Revoked", badge: "bad" },
};

/** Per program: the certification state, progress, what is left and what changed. */
export function MyCertifications() {
  const records = useMyCertifications();
  const clients = useClients();
  const certs = useQuery({ queryKey: ["my-certificates"], queryFn: certificates.mine, staleTime: 0 });
  return (
    <section>
      <h1>My certifications</h1>
      {records.isPending && <p className="loading" role="status">Loading…</p>}
      {records.error && <p role="alert" className="error">{records.error.message}</p>}
      {certs.error && <p role="alert" className="error">{certs.error.message}</p>}
      {records.data?.length === 0 && <p>You are not enrolled in any program yet.</p>}
      {records.data?.map((c) => (
        <article key={c.program.id} className="panel cert" aria-labelledby={`cert-${c.program.id}`}>
          <h2 id={`cert-${c.program.id}`}>
            <Link to={`/training/${c.program.id}`}>{c.program.name}</Link>{" "}
            <span className={`badge ${STATE[c.state].badge}`}>{STATE[c.state].label}</span>
          </h2>
          {c.record && c.state !== "in_training" && <p>{certDates(c.record)}</p>}
          <p className="hint">{clients.data?.find((x) => x.id === c.program.client_id)?.name} · valid {c.program.valid_days} days once certified</p>
          <ProgressBar done={c.done} total={c.total} label={`${c.program.name}: requirements done`} />
          {c.changed.length > 0 && <p className="notice-warn">Changed since you read it: {c.changed.map((s) => s.title).join(", ")}</p>}
          {c.left.length > 0 ? (
            <details>
              <summary>What is left ({c.left.length})</summary>
              <ul>{c.left.map((s) => <li key={`${s.kind}:${s.slug}`}>{KIND_LABEL[s.kind]}: {s.title}</li>)}</ul>
            </details>
          ) : <p>Every requirement is done.</p>}
          {c.licensesNeeded.length > 0 && (
            <p>Needs a license: {c.licensesNeeded.map((l) => `${l.class} (${l.lines.join(", ")}) in ${l.states.join(", ")}`).join("; ")} — <Link to="/licenses">my licenses</Link></p>
          )}
          {c.record && <CertificateHistory certs={certs.data?.filter((x) => x.certification_id === c.record!.id) ?? []} holder />}
        </article>
      ))}
    </section>
  );
}
