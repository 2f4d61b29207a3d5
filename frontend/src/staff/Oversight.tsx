// What compliance and admins do to an agent's records from the agent's page:
// revoke and reinstate a certification, revoke a license, each with a reason;
// and, for every staff member who sees the page, each certification's history.
import { useState } from "react";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import type { License } from "../api/learning";
import { staff, type ReasonBody } from "../api/staff";
import type { User } from "../api/types";
import { useSession } from "../auth/session";
import { Dialog } from "../components/Dialog";
import { ErrorSummary, Field, useFocusOnError } from "../components/Field";
import { formErrors } from "../lib/errors";
import { formatDate, formatDateTime } from "../lib/format";
import { LICENSE_STATUS } from "../training/MyLicenses";
import { personLabel } from "./logic";
import { actorLabel, eventNote, eventWhat } from "./oversight";

/** Compliance officers and admins revoke and reinstate certifications and revoke licenses (as the API allows). */
export function useMayOversee(): boolean {
  const { me } = useSession();
  return me?.role === "compliance" || me?.role === "admin";
}

interface ReasonDialogProps {
  title: string;
  /** What will happen, in a sentence. */
  children: React.ReactNode;
  action: string;
  danger?: boolean;
  send: (body: ReasonBody) => Promise<unknown>;
  onClose: () => void;
  onDone: () => void;
}

/** A confirmation that asks why; the API's refusals show at the reason or above it. */
function ReasonDialog({ title, children, action, danger, send, onClose, onDone }: ReasonDialogProps) {
  const [reason, setReason] = useState("");
  const change = useMutation({ mutationFn: () => send({ reason }), onSuccess: onDone });
  const errs = formErrors(change.error, ["reason"]);
  const formRef = useFocusOnError(change.error);
  return (
    <Dialog title={title} onClose={onClose}>
      <form ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); change.mutate(); }}>
        {children}
        <ErrorSummary summary={errs.summary} other={errs.other} />
        <Field label="Reason" hint="Required; kept in the history and the audit log." error={errs.fields.reason}>
          <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className={danger ? "danger" : "primary"} disabled={change.isPending}>{change.isPending ? "Saving…" : action}</button>
        </div>
      </form>
    </Dialog>
  );
}

interface Cert {
  id: string;
  user_id: string;
  program_id: string;
  program_name: string;
  state: string;
}

/** A certification's History disclosure, and Revoke or Reinstate for those who may. */
export function CertificationOversight({ cert, who }: { cert: Cert; who: string }) {
  const qc = useQueryClient();
  const mayOversee = useMayOversee();
  const [open, setOpen] = useState<"revoke" | "reinstate" | null>(null);
  const [done, setDone] = useState("");
  const finished = (text: string) => {
    setOpen(null);
    setDone(text);
    void qc.invalidateQueries({ queryKey: ["user-certifications", cert.user_id] });
    void qc.invalidateQueries({ queryKey: ["certification-history", cert.id] });
    void qc.invalidateQueries({ queryKey: ["enrollments", cert.program_id] });
  };
  return (
    <div className="cert-oversight">
      {mayOversee && (
        <div className="actions wrap">
          {cert.state === "revoked" ? (
            <button type="button" aria-label={`Reinstate in ${cert.program_name}`} onClick={() => { setDone(""); setOpen("reinstate"); }}>Reinstate</button>
          ) : (
            <button type="button" className="danger" aria-label={`Revoke in ${cert.program_name}`} onClick={() => { setDone(""); setOpen("revoke"); }}>Revoke</button>
          )}
        </div>
      )}
      <p role="status" className="notice-line">{done}</p>
      <CertificationHistory certID={cert.id} programName={cert.program_name} />
      {open === "revoke" && (
        <ReasonDialog title="Revoke this certification?" action="Revoke" danger
          send={(b) => staff.revokeCertification(cert.id, b)} onClose={() => setOpen(null)}
          onDone={() => finished(`Revoked ${who} in ${cert.program_name}.`)}>
          <p>{who} stops being routable for {cert.program_name} at once and loses its material until reinstated.</p>
        </ReasonDialog>
      )}
      {open === "reinstate" && (
        <ReasonDialog title="Reinstate this certification?" action="Reinstate"
          send={(b) => staff.reinstateCertification(cert.id, b)} onClose={() => setOpen(null)}
          onDone={() => finished(`Reinstated ${who} in ${cert.program_name}.`)}>
          <p>{who}'s record in {cert.program_name} is judged again from the evidence: certified with its old dates if it has not expired, expired if it has, in training if it never was certified.</p>
        </ReasonDialog>
      )}
    </div>
  );
}

/** The certification's transitions, oldest first, loaded when opened; people by name where the caller may see them. */
function CertificationHistory({ certID, programName }: { certID: string; programName: string }) {
  const [shown, setShown] = useState(false);
  const history = useQuery({ queryKey: ["certification-history", certID], queryFn: () => staff.certificationHistory(certID), enabled: shown });
  const cert = history.data?.certification;
  const actorIDs = [...new Set([
    ...(cert ? [cert.enrolled_by] : []),
    ...(history.data?.events ?? []).filter((e) => e.actor_kind === "user").map((e) => e.actor_id),
  ])];
  const actors = useQueries({
    queries: actorIDs.map((id) => ({ queryKey: ["user", id], queryFn: () => staff.person(id), retry: false, staleTime: 5 * 60_000 })),
  });
  const people: Record<string, User | undefined> = Object.fromEntries(actorIDs.map((id, i) => [id, actors[i]?.data]));
  return (
    <details onToggle={(e) => setShown(e.currentTarget.open)}>
      <summary>History<span className="sr-only"> of {programName}</span></summary>
      {history.isPending && shown && <p className="loading" role="status">Loading the history…</p>}
      {history.error && <p role="alert" className="error">{history.error.message}</p>}
      {history.data && cert && (
        <ol className="cert-history" aria-label={`History of ${programName}`}>
          <li>
            <strong>Enrolled: in training</strong>
            <span className="hint">{formatDateTime(cert.enrolled_at)}{people[cert.enrolled_by] ? ` · ${personLabel(people[cert.enrolled_by]!)}` : ""}</span>
          </li>
          {history.data.events.map((e) => {
            const note = eventNote(e);
            return (
              <li key={e.id}>
                <strong>{eventWhat(e)}</strong>
                <span className="hint">{formatDateTime(e.at)} · {actorLabel(e, people)}</span>
                {note && <span className="hint">Reason: {note}</span>}
              </li>
            );
          })}
        </ol>
      )}
    </details>
  );
}

/** The agent's licenses for compliance and admins, with Revoke (a reason required) on those not yet revoked or rejected. */
export function UserLicenses({ userID, who }: { userID: string; who: string }) {
  const qc = useQueryClient();
  const licenses = useQuery({ queryKey: ["user-licenses", userID], queryFn: () => staff.userLicenses(userID) });
  const [revoking, setRevoking] = useState<License | null>(null);
  const [done, setDone] = useState("");
  const name = (l: License) => `${l.jurisdiction} ${l.class} ${l.license_number}`;
  return (
    <section className="panel" aria-labelledby="user-licenses">
      <h2 id="user-licenses">Licenses</h2>
      {licenses.isPending && <p className="loading" role="status">Loading the licenses…</p>}
      {licenses.error && <p role="alert" className="error">{licenses.error.message}</p>}
      {licenses.data?.length === 0 && <p>No license on record.</p>}
      {!!licenses.data?.length && (
        <ul className="plain">
          {licenses.data.map((l) => (
            <li key={l.id} className="member-line">
              <span>
                {name(l)} <span className={`badge ${LICENSE_STATUS[l.status].cls}`}>{LICENSE_STATUS[l.status].label}</span>
                <span className="hint">{l.lines_of_authority.join(", ")} · expires {formatDate(l.expiry_date)}{l.status_note ? ` · ${l.status_note}` : ""}</span>
              </span>
              {l.status !== "revoked" && l.status !== "rejected" && (
                <button type="button" className="danger" aria-label={`Revoke license ${name(l)}`} onClick={() => { setDone(""); setRevoking(l); }}>Revoke</button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="notice-line">{done}</p>
      {revoking && (
        <ReasonDialog title="Revoke this license?" action="Revoke license" danger
          send={(b) => staff.revokeLicense(revoking.id, b)} onClose={() => setRevoking(null)}
          onDone={() => {
            setDone(`Revoked ${who}'s license ${name(revoking)}.`);
            setRevoking(null);
            void qc.invalidateQueries({ queryKey: ["user-licenses", userID] });
          }}>
          <p>Revoking is final: {who} no longer counts as licensed in {revoking.jurisdiction} under {name(revoking)}.</p>
        </ReasonDialog>
      )}
    </section>
  );
}
