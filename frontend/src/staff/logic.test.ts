import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { EligibilityReason, Enrollment, QuizAnalysis, RosterAgent, StaffUser } from "../api/staff";
import type { PublicQuestion } from "../api/learning";
import { answerText, assignable, barPercent, blockersOnceAssigned, candidates, enrollable, hardestFirst, itemErrors, reasonText, refusalReasons, sourceProblems } from "./logic";

describe("reasons", () => {
  it("adds the state only when the message lacks it", () => {
    expect(reasonText({ code: "license_missing", message: "no verified license", state: "TX" })).toBe("no verified license (TX)");
    expect(reasonText({ code: "license_missing", message: "no verified license for TX", state: "TX" })).toBe("no verified license for TX");
    expect(reasonText({ code: "not_certified", message: "not certified" })).toBe("not certified");
  });

  it("reads a refused assignment's reasons and nothing else", () => {
    const reasons = [{ code: "not_certified", message: "the agent is in training" }];
    expect(refusalReasons(new ApiError(409, "conflict", "refused", {}, { reasons }))).toEqual(reasons);
    expect(refusalReasons(new ApiError(409, "conflict", "refused", {}, undefined))).toEqual([]);
    expect(refusalReasons(new ApiError(400, "invalid", "bad", {}, { reasons }))).toEqual([]);
    expect(refusalReasons(new Error("x"))).toEqual([]);
  });
});

describe("sourceProblems", () => {
  it("orders a module file's problems by line and keeps other fields apart", () => {
    const got = sourceProblems({
      "refunds.md:12": "unknown heading",
      "refunds.md:3": "title is required",
      "refunds.md": "front matter is missing",
      change: "the front matter says material",
    });
    expect(got.problems).toEqual([
      { line: 0, message: "front matter is missing" },
      { line: 3, message: "title is required" },
      { line: 12, message: "unknown heading" },
    ]);
    expect(got.other).toEqual({ change: "the front matter says material" });
  });
});

describe("hardestFirst", () => {
  const q = (id: string, pct: number, answered = 4): QuizAnalysis["questions"][number] =>
    ({ question_id: id, drawn: 5, answered, percent_correct: pct, fully_correct: 0, most_chosen_wrong: null });
  it("puts the least-known questions first and the unanswered last, without changing the input", () => {
    const input = [q("a", 90), q("b", 20), q("c", 0, 0), q("d", 20), q("e", 55)];
    expect(hardestFirst(input).map((x) => x.question_id)).toEqual(["b", "d", "e", "a", "c"]);
    expect(input.map((x) => x.question_id)).toEqual(["a", "b", "c", "d", "e"]);
  });
});

describe("barPercent", () => {
  it("clamps", () => {
    expect([barPercent(-3), barPercent(42.5), barPercent(130), barPercent(null), barPercent(NaN)]).toEqual([0, 42.5, 100, 0, 0]);
  });
});

describe("assignable", () => {
  const user = (id: string, email: string, active = true): StaffUser =>
    ({ id, email, display_name: "", role: "agent", active, client_ids: [], external_id: null, source: "password", created_at: "", updated_at: "" });
  const enr = (user_id: string): Enrollment =>
    ({ id: `e-${user_id}`, user_id, program_id: "p", state: "certified", enrolled_at: "", enrolled_by: "", updated_at: "" });
  it("offers enrolled, active agents not on the roster, by email", () => {
    const roster = [{ agent_id: "1" } as RosterAgent];
    const users = [user("1", "a@x"), user("2", "z@x"), user("3", "m@x"), user("4", "b@x", false)];
    const got = assignable([enr("1"), enr("2"), enr("3"), enr("4"), enr("5")], roster, users);
    expect(got.map((u) => u.email)).toEqual(["m@x", "z@x"]);
  });
});

describe("enrollable", () => {
  const agent = (id: string, name: string, clients: string[], over: Partial<StaffUser> = {}): StaffUser => ({
    id, email: `${id}@x.test`, display_name: name, role: "agent", active: true, client_ids: clients,
    external_id: null, source: "password", created_at: "", updated_at: "", ...over,
  });
  it("offers the client's active agents not yet enrolled, by name", () => {
    const users = [
      agent("zed", "Zed", ["bank"]),
      agent("amy", "Amy", ["bank", "utility"]),
      agent("out", "Other client", ["utility"]),
      agent("old", "Inactive", ["bank"], { active: false }),
      agent("sup", "A supervisor", ["bank"], { role: "supervisor" }),
      agent("enr", "Enrolled", ["bank"]),
    ];
    const enrolled = [{ id: "c1", user_id: "enr", program_id: "p", state: "in_training", enrolled_at: "2026-01-01T00:00:00Z" } as Enrollment];
    expect(enrollable(users, enrolled, "bank").map((u) => u.id)).toEqual(["amy", "zed"]);
  });
});

describe("answerText", () => {
  const q = {
    id: "q", type: "matching", text: "Match", points: 1,
    options: [{ id: "a", text: "Apologise" }, { id: "b", text: "Blame" }],
    lefts: [{ id: "l1", text: "Classic" }], rights: [{ id: "r1", text: "Blue" }],
  } as PublicQuestion;
  it("names options, matches and typed text in words", () => {
    expect(answerText(q, { choices: ["a", "b"] })).toBe("Apologise; Blame");
    expect(answerText(q, { matches: { l1: "r1" } })).toBe("Classic → Blue");
    expect(answerText(q, { text: "thanks" })).toBe("thanks");
    expect(answerText(q, { numbers: ["3.5 ± 0.1"] })).toBe("3.5 ± 0.1");
    expect(answerText(q, {})).toBe("");
    expect(answerText(undefined, { choices: ["x"] })).toBe("x");
  });
});

describe("bulk refusals and roster candidates", () => {
  it("maps user_ids[i] refusals back to the ids sent", () => {
    const got = itemErrors({ "user_ids[1]": "Bo is already enrolled", "user_ids[9]": "out of range", user_ids: "whole list" }, ["a", "b"]);
    expect([...got.entries()]).toEqual([["b", "Bo is already enrolled"]]);
  });

  it("lists the client's active agents not on the queue, not enrolled first, then by name", () => {
    const u = (id: string, name: string, extra: Partial<StaffUser> = {}): StaffUser =>
      ({ id, email: `${id}@x.test`, display_name: name, role: "agent", active: true, client_ids: ["c1"], external_id: null, source: "password", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", ...extra });
    const users = [u("a", "Ann"), u("b", "Bo"), u("c", "Cy"), u("d", "Di", { active: false }), u("e", "Ed", { client_ids: ["c2"] }), u("f", "Fay", { role: "trainer" })];
    const enrollments = [{ user_id: "a", state: "certified" }, { user_id: "c", state: "in_training" }] as Enrollment[];
    const roster = [{ agent_id: "c" }] as RosterAgent[];
    expect(candidates(users, enrollments, roster, "c1").map((c) => [c.user.id, c.state])).toEqual([["b", null], ["a", "certified"]]);
  });

  it("keeps what would still stop an agent once assigned", () => {
    const rs = [{ code: "not_assigned", message: "not assigned" }, { code: "not_certified", message: "not certified" }] as EligibilityReason[];
    expect(blockersOnceAssigned(rs).map((r) => r.code)).toEqual(["not_certified"]);
  });
});
