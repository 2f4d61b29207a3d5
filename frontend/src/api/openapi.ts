// Helpers to name the API's shapes in the types generated from the OpenAPI
// document (schema.d.ts, written by `npm run gen:api`; never edit it by hand).
// A named schema is Schemas["Name"]; a shape written inline in an operation is
// reached through its path: Ok<"/api/v1/cohorts/{id}/stats", "get">.
import type { components, paths } from "./schema";

/** The document's named schemas (components.schemas). */
export type Schemas = components["schemas"];

type Method = "get" | "post" | "put" | "patch" | "delete";
type JSONOf<R> = R extends { content: { "application/json": infer B } } ? B : never;

/** The JSON body of the 200 (else 201) answer to a method on a path. */
export type Ok<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JSONOf<A>
    : R extends { 201: infer A }
      ? JSONOf<A>
      : never
  : never;

/** The JSON request body of a method on a path. */
export type RequestBody<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: infer B }
  ? JSONOf<NonNullable<B>>
  : never;
