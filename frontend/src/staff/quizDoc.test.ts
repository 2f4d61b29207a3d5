import { describe, expect, it } from "vitest";
import { getKey, newQuestion, questions, setKey, setQuestion } from "./quizDoc";

const file = `# kept comment
title: Fees
pass_percent: 60
custom_key: kept # unknown keys survive
questions:
  # the first question
  - id: tf
    type: true_false
    text: Fees are waived.
    answer: false
`;

describe("quiz.yaml edits through the yaml Document", () => {
  it("keeps comments and unknown keys when a setting changes", () => {
    const out = setKey(file, "pass_percent", 75);
    expect(out).toContain("# kept comment");
    expect(out).toContain("custom_key: kept # unknown keys survive");
    expect(getKey(out, "pass_percent")).toBe(75);
    expect(getKey(setKey(out, "time_limit", ""), "time_limit")).toBeUndefined();
  });
  it("adds, changes and removes questions", () => {
    let out = setQuestion(file, 1, newQuestion("single_choice", 2));
    expect(questions(out).map((q) => q.type)).toEqual(["true_false", "single_choice"]);
    out = setQuestion(out, 0, { ...questions(out)[0], text: "Fees are never waived." });
    expect(out).toContain("# the first question");
    expect(questions(out)[0].text).toBe("Fees are never waived.");
    out = setQuestion(out, 0, null);
    expect(questions(out).map((q) => q.id)).toEqual(["q2"]);
  });
  it("grows an empty flow list into a block list", () => {
    const out = setQuestion("title: T\npass_percent: 50\nquestions: []\n", 0, { id: "q1", type: "true_false", text: "A: b", answer: true });
    expect(out).toContain("questions:\n  - id: q1");
  });
});
