// Appointments (a carrier's appointment of an agent by state) and continuing education: compliance's pages
// and the agent's licenses page. Shapes come from the OpenAPI document (schema.d.ts).
import { api, query } from "./client";
import type { RequestBody, Schemas } from "./openapi";

export type Appointment = Schemas["Appointment"];
export type AppointmentStatus = Appointment["status"];
export type AppointmentGap = Schemas["AppointmentGap"];
export type TerminationToFile = Schemas["TerminationToFile"];
export type AppointmentRecord = Schemas["AppointmentRecord"];
export type CEStanding = Schemas["CEStanding"];
export type CECredit = Schemas["CECredit"];
export type CELibrary = Schemas["CELibrary"];
export type CERequirement = Schemas["CERequirement"];
export type CECreditInput = RequestBody<"/api/v1/ce/credits", "post">;
export type CERequirementInput = Pick<CERequirement, "period_months" | "hours" | "categories" | "sample">;

export interface AppointmentFilter {
  user_id?: string;
  client_id?: string;
  jurisdiction?: string;
  status?: AppointmentStatus | "";
}

export interface AppointmentImport {
  created: number;
  activated: number;
  terminated: number;
  unchanged: number;
  appointments: Appointment[];
}

export const appointments = {
  list: (f: AppointmentFilter = {}) =>
    api<{ appointments: Appointment[] }>(`/appointments${query({ ...f, status: f.status || undefined })}`).then((r) => r.appointments),
  record: (body: AppointmentRecord) => api<Appointment>("/appointments", { method: "POST", body }),
  activate: (id: string, effective_date: string, reference: string) =>
    api<Appointment>(`/appointments/${id}/activate`, { method: "POST", body: { effective_date, ...(reference ? { reference } : {}) } }),
  terminate: (id: string, reason: string, termination_date: string) =>
    api<Appointment>(`/appointments/${id}/terminate`, { method: "POST", body: { reason, ...(termination_date ? { termination_date } : {}) } }),
  importCSV: (text: string) => api<AppointmentImport>("/appointments/import", { method: "POST", body: text, headers: { "Content-Type": "text/csv" } }),
  gaps: () => api<{ gaps: AppointmentGap[] }>("/reports/appointment-gaps").then((r) => r.gaps),
  terminations: () => api<{ terminations: TerminationToFile[] }>("/reports/appointment-terminations").then((r) => r.terminations),
  ceStanding: (userId?: string) => api<{ standings: CEStanding[]; credits: CECredit[] }>(`/ce/standing${query({ user_id: userId })}`),
  ceLibrary: () => api<CELibrary>("/ce/library"),
  recordCECredit: (body: CECreditInput) => api<CECredit>("/ce/credits", { method: "POST", body }),
  setCERequirement: (state: string, klass: string, body: CERequirementInput) =>
    api<CELibrary>(`/ce/requirements/${encodeURIComponent(state)}/${encodeURIComponent(klass)}`, { method: "PUT", body }),
  deleteCERequirement: (state: string, klass: string) =>
    api<CELibrary>(`/ce/requirements/${encodeURIComponent(state)}/${encodeURIComponent(klass)}`, { method: "DELETE" }),
  ceAtRisk: () => api<{ licenses: CEStanding[] }>("/reports/ce-at-risk").then((r) => r.licenses),
};

/** An appointment's status as people read it. */
export const APPOINTMENT_STATUS: Record<AppointmentStatus, { label: string; cls: string }> = {
  requested: { label: "Requested", cls: "warn" },
  active: { label: "Active", cls: "ok" },
  terminated: { label: "Terminated", cls: "off" },
};
