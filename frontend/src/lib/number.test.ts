import { describe, expect, it } from "vitest";
import { mayBeUnfinished, parseTypedNumber } from "./number";

describe("parseTypedNumber", () => {
  it.each([
    ["1200", 1200],
    ["1,200", 1200],
    ["1,234,567.25", 1234567.25],
    ["12.5", 12.5],
    [" -3 ", -3],
    ["−3", -3],
    ["+3", 3],
    [".5", 0.5],
    ["12.", 12],
    ["1.5e3", 1500],
  ])("reads %j as %d", (input, want) => {
    expect(parseTypedNumber(input)).toEqual({ ok: true, value: want });
  });

  it.each([
    ["", "Enter a number."],
    ["ten dollars", "without words, units or currency signs"],
    ["$12", "currency signs"],
    ["12%", "units"],
    ["12,5", "Use a point for decimals"],
    ["1,20,000", "Group thousands in threes"],
    ["0x10", "without words"],
    ["NaN", "without words"],
    ["Infinity", "without words"],
    ["1e9999", "without words"],
    ["--3", "without words"],
    ["1 200", "without words"],
    ["9".repeat(65), "at most 64"],
  ])("refuses %j", (input, reason) => {
    const got = parseTypedNumber(input);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.reason).toContain(reason);
  });
});

describe("mayBeUnfinished", () => {
  it.each([["-", true], ["1,", true], ["1,2", true], ["1,20", true], ["12,5", true], ["1,2000", false], ["ten", false], ["1.", false], ["", true]])("%j → %s", (input, want) => {
    expect(mayBeUnfinished(input)).toBe(want);
  });
});
