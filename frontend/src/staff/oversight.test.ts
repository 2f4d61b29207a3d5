import { describe, expect, it } from "vitest";
import { actorLabel, eventNote, eventWhat, stateWords } from "./oversight";

describe("a certification's history for people", () => {
  it("says what each transition did, in words", () => {
    expect(eventWhat({ from: "", to: "in_training", reason: "requirements_met" })).toBe("Enrolled: in training");
    expect(eventWhat({ from: "certified", to: "revoked", reason: "revoked" })).toBe("Revoked: certified → revoked");
    expect(eventWhat({ from: "revoked", to: "in_training", reason: "reinstated" })).toBe("Reinstated: revoked → in training");
    expect(eventWhat({ from: "certified", to: "refresher_due", reason: "material_change" })).toBe("Material change to a module: certified → refresher due");
    expect(stateWords("some_new_state")).toBe("some new state");
  });

  it("reads the note of a revoke or reinstate, and nothing else", () => {
    expect(eventNote({ details: { note: "failed an audit" } })).toBe("failed an audit");
    expect(eventNote({ details: { evidence: { modules: [] } } })).toBe("");
    expect(eventNote({ details: { note: 42 } })).toBe("");
  });

  it("names who made the change when the caller may see them, else what kind of actor", () => {
    const people = { u1: { email: "cam@x.test", display_name: "Cam Officer" }, u2: { email: "no-name@x.test", display_name: "" } };
    expect(actorLabel({ actor_kind: "user", actor_id: "u1" }, people)).toBe("Cam Officer <cam@x.test>");
    expect(actorLabel({ actor_kind: "user", actor_id: "u2" }, people)).toBe("no-name@x.test");
    expect(actorLabel({ actor_kind: "user", actor_id: "u3" }, people)).toBe("A staff member");
    expect(actorLabel({ actor_kind: "api_key", actor_id: "k1" }, people)).toBe("An API key");
    expect(actorLabel({ actor_kind: "system", actor_id: "clock" }, people)).toBe("Skillgate (automatic)");
  });
});
