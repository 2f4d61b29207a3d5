import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { csvRowErrors, formErrors } from "./errors";

describe("formErrors", () => {
  const known = ["email", "role", "client_ids"];
  it.each([
    {
      name: "every field known: no summary",
      err: new ApiError(400, "invalid", "the user is invalid", { email: "must be an email address", role: "must be one of …" }),
      fields: { email: "must be an email address", role: "must be one of …" }, summary: null, other: [],
    },
    {
      name: "an unknown field goes to the summary",
      err: new ApiError(400, "invalid", "the user is invalid", { email: "taken", tenant: "unknown" }),
      fields: { email: "taken" }, summary: "the user is invalid", other: ["tenant: unknown"],
    },
    {
      name: "indexed fields join their base field",
      err: new ApiError(400, "invalid", "bad", { "client_ids.0": "no such client", "client_ids.2": "no such client either" }),
      fields: { client_ids: "no such client; no such client either" }, summary: null, other: [],
    },
    {
      name: "no fields: the message",
      err: new ApiError(409, "conflict", "a user with this email already exists"),
      fields: {}, summary: "a user with this email already exists", other: [],
    },
    { name: "not an API error", err: new Error("boom"), fields: {}, summary: "boom", other: [] },
  ])("$name", ({ err, fields, summary, other }) => {
    const got = formErrors(err, known);
    expect(got.fields).toEqual(fields);
    expect(got.summary).toBe(summary);
    expect(got.other).toEqual(other);
  });

  it("is empty without an error", () => {
    expect(formErrors(null, known)).toEqual({ fields: {}, summary: null, other: [] });
  });
});

describe("csvRowErrors", () => {
  it("orders by row then column and splits row from column", () => {
    expect(
      csvRowErrors({
        "row 10.email": "must be an email address",
        "row 3.role": "must be one of agent, trainer",
        "row 3.clients": 'no client "nope"',
        "row 1": "unknown column \"x\"",
        odd: "something else",
      }),
    ).toEqual([
      { row: 0, column: "odd", message: "something else" },
      { row: 1, column: "", message: 'unknown column "x"' },
      { row: 3, column: "clients", message: 'no client "nope"' },
      { row: 3, column: "role", message: "must be one of agent, trainer" },
      { row: 10, column: "email", message: "must be an email address" },
    ]);
  });
});
