// Certificates: the agent's and staff's lists, the downloads (PDF, Open
// Badges credential) and the public verification. Shapes come from the
// OpenAPI document.
import { api, downloadFile } from "./client";
import type { Ok, Schemas } from "./openapi";

export type Certificate = Schemas["Certificate"];
export type CertificateStatus = Schemas["CertificateStatus"];
export type CertificateVerification = Schemas["CertificateVerification"];

/** The API answers paths under /api/v1; api() adds that prefix itself. */
const apiPath = (p: string) => p.replace(/^\/api\/v1/, "");

/** The verification id at the end of a certificate's public link. */
export function verifyID(c: Certificate): string {
  return c.verification_url.slice(c.verification_url.lastIndexOf("/") + 1);
}

export const STATUS: Record<CertificateStatus, { label: string; badge: string; says: string }> = {
  valid: { label: "Valid", badge: "ok", says: "This certificate is real and current." },
  refresher_due: { label: "Valid — refresher due", badge: "warn", says: "This certificate is real and current; its holder has a refresher to take." },
  expired: { label: "Expired", badge: "bad", says: "This certificate was real, but it is no longer current." },
  revoked: { label: "Revoked", badge: "bad", says: "This certificate was revoked: it is no longer valid." },
};

export const certificates = {
  mine: () => api<Ok<"/api/v1/me/certificates", "get">>("/me/certificates").then((r) => r.certificates),
  forUser: (id: string) => api<Ok<"/api/v1/users/{id}/certificates", "get">>(`/users/${id}/certificates`).then((r) => r.certificates),
  verify: (id: string) => api<CertificateVerification>(`/verify/${encodeURIComponent(id)}`),
  downloadPDF: (c: Certificate) => downloadFile(apiPath(c.pdf), `certificate-${c.number}.pdf`, "application/pdf"),
  downloadCredential: (c: Certificate) => downloadFile(apiPath(c.credential), `credential-${c.number}.jwt`, "application/vc+jwt"),
};
