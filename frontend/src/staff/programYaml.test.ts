import { describe, expect, it } from "vitest";
import { appendItem, edit, items, moveItem, parseProgram, problemsByField, setSignoff, str, withListed } from "./programYaml";

const text = `# Card services
slug: card-services
name: Card services
channels: [voice]
x_unknown: keep me   # a comment
modules:
  - identity-verification
  - core/empathy
roleplays:
  - traveler
certification:
  valid_days: 0
  refresher_window_days: 30
  material_change_grace_days: 14
onboarding:
  - {day: 1, module: core/empathy}
`;

describe("programYaml", () => {
  it("edits through the document, keeping comments and unknown keys", () => {
    let t = edit(text, (d) => d.setIn(["name"], "Cards"));
    t = edit(t, (d) => moveItem(d, ["modules"], 1, -1));
    t = edit(t, (d) => appendItem(d, ["onboarding"], { day: 2, module: "identity-verification" }));
    t = edit(t, (d) => setSignoff(d, 0, true));
    const { doc } = parseProgram(t);
    expect(str(doc, ["name"])).toBe("Cards");
    expect(items(doc, ["modules"])).toEqual(["core/empathy", "identity-verification"]);
    expect(t).toContain("# Card services");
    expect(t).toMatch(/x_unknown: keep me +# a comment/);
    expect(t).toContain("{ day: 2, module: identity-verification }");
    expect(items(doc, ["roleplays"])).toEqual([{ slug: "traveler", signoff: true }]);
  });

  it("maps a problem's line to the field whose YAML spans it", () => {
    const parsed = parseProgram(text);
    const { byField, rest } = problemsByField(parsed, [
      { line: 12, message: "valid_days must be more than 0" },
      { line: 8, message: "no module core/empathy" },
      { line: 16, message: "onboarding" },
      { line: 99, message: "elsewhere" },
    ]);
    expect(byField["certification.valid_days"]).toEqual(["valid_days must be more than 0"]);
    expect(byField["modules.1"]).toEqual(["no module core/empathy"]);
    expect(byField["onboarding.0"]).toEqual(["onboarding"]);
    expect(rest.map((r) => r.line)).toEqual([99]);
  });

  it("lists a new quiz or role-play once, keeping the entries it has", () => {
    const program = "name: Cards\nquizzes:\n  - basics\n  - slug: final\n    opens_after: modules\nroleplays: []\n";
    const once = withListed(program, "quizzes", "fees");
    expect(parseProgram(once).doc.toJSON().quizzes).toEqual(["basics", { slug: "final", opens_after: "modules" }, "fees"]);
    expect(withListed(once, "quizzes", "fees")).toBe(once);
    expect(withListed(program, "quizzes", "final")).toBe(program);
    const rp = withListed(program, "roleplays", "late-fee");
    expect(rp).toContain("roleplays:\n  - slug: late-fee");
    expect(withListed(rp, "roleplays", "late-fee")).toBe(rp);
  });
});
