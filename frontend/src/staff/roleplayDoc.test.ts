import { describe, expect, it } from "vitest";
import { append, edgesOf, freshId, modelOf, parse, renameKey, setAt, starter } from "./roleplayDoc";

const FILE = `# Written by the outage team
title: Power out
custom_key: kept # an unknown key
persona: {name: Ray, situation: Out since 9 pm., mood: angry}
competencies:
  empathy: 60 # most of it
  accuracy: 40
turns:
  - id: opening
    customer: When is it back?
    agent:
      choice:
        - text: Let me look.
          next: done
endings:
  - id: done
    outcome: resolved
`;

describe("roleplayDoc", () => {
  it("edits keep comments and unknown keys", () => {
    const d = parse(FILE);
    setAt(d, ["persona", "name"], "Ray Okafor");
    renameKey(d, ["competencies"], "empathy", "care");
    setAt(d, ["turns", 0, "agent", "choice", 0, "points", "care"], 2);
    append(d, ["turns", 0, "agent", "choice"], { text: "No idea.", next: "done" });
    const out = String(d);
    expect(out).toContain("# Written by the outage team");
    expect(out).toContain("custom_key: kept # an unknown key");
    expect(out).toContain("care: 60 # most of it");
    const m = modelOf(parse(out));
    expect(m.persona.name).toBe("Ray Okafor");
    expect(m.competencies).toEqual([{ name: "care", weight: 60 }, { name: "accuracy", weight: 40 }]);
    expect(m.turns[0].options.map((o) => o.text)).toEqual(["Let me look.", "No idea."]);
    expect(m.turns[0].options[0].points).toEqual({ care: 2 });
    expect(edgesOf(m.turns[0])).toEqual([{ label: "A", to: "done" }, { label: "B", to: "done" }]);
  });

  it("setting an empty value removes the key", () => {
    const d = parse(FILE);
    setAt(d, ["title"], "");
    expect(modelOf(d).title).toBe("");
    expect(String(d)).not.toContain("title:");
  });

  it("a new file reads back with a start turn and endings", () => {
    const m = modelOf(parse(starter("Late fee")));
    expect(m.title).toBe("Late fee");
    expect(m.start).toBe("opening");
    expect(m.competencies.reduce((a, c) => a + c.weight, 0)).toBe(100);
    expect(freshId(m)).toBe("turn-2");
  });
});
