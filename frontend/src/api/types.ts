// The API's shapes (see the OpenAPI document at /api/docs).

export type Role = "agent" | "trainer" | "supervisor" | "compliance" | "admin";
export const ROLES: Role[] = ["agent", "trainer", "supervisor", "compliance", "admin"];

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  external_id: string | null;
  active: boolean;
  deactivated_at?: string;
  created_at: string;
  updated_at: string;
  client_ids: string[];
  /** The memberships with the clients' names, by name (absent when none). */
  clients?: { id: string; name: string }[];
}

export interface Client {
  id: string;
  slug: string;
  name: string;
  industry: string;
  description: string;
}

export type Scope = "eligibility:read" | "webhooks:manage";
export const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "eligibility:read", label: "Read eligibility (the routing system)" },
  { scope: "webhooks:manage", label: "Manage webhooks" },
];

export interface APIKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_by?: string;
  created_at: string;
  expires_at?: string;
  revoked_at?: string;
  last_used_at?: string;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor_kind: "user" | "api_key" | "system";
  actor_id: string;
  action: string;
  subject_type: string;
  subject_id: string;
  client_id?: string;
  before?: unknown;
  after?: unknown;
  request_id?: string;
}
