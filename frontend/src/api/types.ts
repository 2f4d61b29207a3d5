// The API's shapes, from the types generated out of the OpenAPI document
// (schema.d.ts, `npm run gen:api`; the document is at /api/docs).

import type { components } from "./schema";

type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export const ROLES: Role[] = ["agent", "trainer", "supervisor", "compliance", "admin"];

export type User = Schemas["User"];

/** Where an account comes from, as the admin pages say it. */
export const SOURCES: Record<User["source"], string> = {
  password: "Skillgate (password)",
  oidc: "Identity provider",
  scim: "Provisioned (SCIM)",
};

export type Client = Schemas["Client"];

export type Scope = Schemas["Scope"];
export const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "eligibility:read", label: "Read eligibility (the routing system)" },
  { scope: "webhooks:manage", label: "Manage webhooks" },
  { scope: "scim:provision", label: "Provision users and groups (SCIM, the identity provider)" },
];

export type APIKey = Schemas["APIKey"];

export type AuditEntry = Schemas["AuditEntry"];
