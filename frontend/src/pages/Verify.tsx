// The public verification page: /verify/<id>, no sign-in. Shows only what the
// API answers (holder, program, client, dates and the status as of now).
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { certificates, STATUS } from "../api/certificates";
import { formatDate, formatDateTime } from "../lib/format";

export function Verify() {
  const { id = "" } = useParams();
  const v = useQuery({
    queryKey: ["verify", id],
    queryFn: () => certificates.verify(id),
    retry: false,
    staleTime: 0,
  });
  let problem: string | null = null;
  if (v.error) {
    const e = v.error as ApiError;
    problem = e.code === "not_found"
      ? "No certificate has this link. Check that the address is complete, or scan the QR code again."
      : e.message;
  }
  const st = v.data ? STATUS[v.data.status] : null;
  return (
    <main className="verify">
      <section aria-labelledby="verify-title">
        <p className="verify-brand">Skillgate</p>
        <h1 id="verify-title">Certificate verification</h1>
        {v.isPending && <p className="loading" role="status">Checking…</p>}
        {problem && <p role="alert" className="error">{problem}</p>}
        {v.data && st && (
          <>
            <p className={`verify-status ${st.badge}`} role="status">
              <span className={`badge ${st.badge}`}>{st.label}</span> {st.says}
            </p>
            <dl className="facts">
              <dt>Holder</dt><dd>{v.data.holder_name}</dd>
              <dt>Program</dt><dd>{v.data.program_name}</dd>
              <dt>Client</dt><dd>{v.data.client_name}</dd>
              <dt>Issued</dt><dd>{formatDate(v.data.issued_at)}</dd>
              <dt>Valid until</dt><dd>{formatDate(v.data.expires_at)}</dd>
            </dl>
            <p className="hint">Checked {formatDateTime(v.data.checked_at)}. This page shows the certificate's standing now, not when it was printed.</p>
          </>
        )}
      </section>
    </main>
  );
}
