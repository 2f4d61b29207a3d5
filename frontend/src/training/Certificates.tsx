// A certificate as its holder and staff see it: number, dates and status, the
// PDF to download, the public verification page, and (for the holder) the
// Open Badges credential for a wallet.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { certificates, STATUS, verifyID, type Certificate } from "../api/certificates";
import { formatDate } from "../lib/format";

export function CertificateCard({ cert, holder }: { cert: Certificate; holder: boolean }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const st = STATUS[cert.status];
  async function save(what: "pdf" | "credential") {
    setBusy(true);
    setMessage(null);
    try {
      const name = what === "pdf" ? await certificates.downloadPDF(cert) : await certificates.downloadCredential(cert);
      setMessage({ ok: true, text: `Saved ${name}.` });
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="certificate">
      <p className="certificate-head">
        <strong>Certificate {cert.number}</strong> <span className={`badge ${st.badge}`}>{st.label}</span>
      </p>
      <p className="hint">Issued {formatDate(cert.issued_at)} · valid until {formatDate(cert.expires_at)}</p>
      <div className="certificate-actions">
        <button type="button" className="small" disabled={busy} onClick={() => save("pdf")}
          aria-label={`Download PDF of certificate ${cert.number}`}>Download PDF</button>
        {holder && cert.status !== "revoked" && (
          <button type="button" className="small" disabled={busy} onClick={() => save("credential")}
            aria-label={`Wallet credential (Open Badges) of certificate ${cert.number}`}>Wallet credential (Open Badges)</button>
        )}
        <Link to={`/verify/${verifyID(cert)}`} aria-label={`Verification page of certificate ${cert.number}`}>Verification page</Link>
      </div>
      {message && <p role={message.ok ? "status" : "alert"} className={message.ok ? "hint" : "error"}>{message.text}</p>}
    </div>
  );
}

/** The certificates of one certification: the newest, then the earlier ones folded away. */
export function CertificateHistory({ certs, holder }: { certs: Certificate[]; holder: boolean }) {
  if (certs.length === 0) return null;
  const [newest, ...older] = certs;
  return (
    <div className="certificates">
      <CertificateCard cert={newest} holder={holder} />
      {older.length > 0 && (
        <details>
          <summary>Earlier certificates ({older.length})</summary>
          {older.map((c) => <CertificateCard key={c.id} cert={c} holder={holder} />)}
        </details>
      )}
    </div>
  );
}

/** Staff's view of an agent's certificates (those of the clients they see), with the PDFs. */
export function UserCertificates({ userID }: { userID: string }) {
  const certs = useQuery({ queryKey: ["user-certificates", userID], queryFn: () => certificates.forUser(userID) });
  return (
    <section className="panel" aria-labelledby="user-certificates">
      <h2 id="user-certificates">Certificates</h2>
      {certs.isPending && <p className="loading" role="status">Loading…</p>}
      {certs.error && <p role="alert" className="error">{certs.error.message}</p>}
      {certs.data?.length === 0 && <p>No certificate yet.</p>}
      {certs.data?.map((c) => (
        <div key={c.id}>
          <p className="hint">{c.program_name} · {c.client_name}</p>
          <CertificateCard cert={c} holder={false} />
        </div>
      ))}
    </section>
  );
}
