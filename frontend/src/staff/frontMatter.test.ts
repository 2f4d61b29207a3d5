import { describe, expect, it } from "vitest";
import { field, joinModule, splitModule, withField } from "./frontMatter";

const src = `---
slug: card-products
title: Fenmore credit cards: the four cards
kind: product
summary: Rates, rewards and fees.
minutes: 12
---

# Cards
`;

describe("front matter fields", () => {
  it("reads and writes the fields, keeping the body", () => {
    const f = splitModule(src)!;
    expect(field(f, "title")).toBe("Fenmore credit cards: the four cards");
    expect(field(f, "minutes")).toBe("12");
    const out = joinModule(withField(withField(f, "minutes", "15"), "summary", "Rates: all of them"));
    expect(out).toContain('summary: "Rates: all of them"');
    expect(out).toContain("minutes: 15");
    expect(out.endsWith("\n# Cards\n")).toBe(true);
    expect(splitModule(out)!.fields).toEqual(withField(withField(f, "minutes", "15"), "summary", "Rates: all of them").fields);
  });
  it("round-trips an unchanged file", () => {
    const f = splitModule(src.replace("title: Fenmore credit cards: the four cards", 'title: "Fenmore credit cards: the four cards"'))!;
    expect(joinModule(f)).toBe(src.replace("title: Fenmore credit cards: the four cards", 'title: "Fenmore credit cards: the four cards"'));
  });
  it("gives up on what it cannot edit field by field", () => {
    expect(splitModule("# no front matter")).toBeNull();
    expect(splitModule("---\nsummary: >\n  folded\n---\n")).toBeNull();
  });
});
