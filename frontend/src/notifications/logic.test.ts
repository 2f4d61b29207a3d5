import { describe, expect, it } from "vitest";
import { badgeLabel, badgeText, isModifiedClick, kindLabel, linkTarget, pageRange } from "./logic";

describe("badge", () => {
  it("names the unread count, and says nothing at zero", () => {
    expect(badgeLabel(3)).toBe("Notifications 3 unread");
    expect(badgeLabel(1)).toBe("Notifications 1 unread");
    expect(badgeLabel(120)).toBe("Notifications 99+ unread");
    expect(badgeLabel(0)).toBe("Notifications");
    expect(badgeLabel(undefined)).toBe("Notifications");
  });

  it("shows the count up to 99", () => {
    expect(badgeText(0)).toBe("");
    expect(badgeText(undefined)).toBe("");
    expect(badgeText(7)).toBe("7");
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
  });
});

describe("linkTarget", () => {
  it("follows app paths in the app", () => {
    expect(linkTarget("/training/p1/roleplay/r1")).toEqual({ kind: "app", to: "/training/p1/roleplay/r1" });
    expect(linkTarget("  /certifications ")).toEqual({ kind: "app", to: "/certifications" });
  });

  it("opens http(s) addresses as plain links", () => {
    expect(linkTarget("https://lms.example.com/a?b=1")).toEqual({ kind: "external", href: "https://lms.example.com/a?b=1" });
  });

  it("leads nowhere for script, protocol-relative or empty links", () => {
    expect(linkTarget("javascript:alert(1)")).toEqual({ kind: "none" });
    expect(linkTarget("//evil.example.com/x")).toEqual({ kind: "none" });
    expect(linkTarget("/\\evil.example.com")).toEqual({ kind: "none" });
    expect(linkTarget("training/x")).toEqual({ kind: "none" });
    expect(linkTarget("")).toEqual({ kind: "none" });
    expect(linkTarget(undefined)).toEqual({ kind: "none" });
  });
});

describe("isModifiedClick", () => {
  const plain = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false };
  it("leaves new-tab and new-window clicks to the browser", () => {
    expect(isModifiedClick(plain)).toBe(false);
    expect(isModifiedClick({ ...plain, ctrlKey: true })).toBe(true);
    expect(isModifiedClick({ ...plain, metaKey: true })).toBe(true);
    expect(isModifiedClick({ ...plain, shiftKey: true })).toBe(true);
    expect(isModifiedClick({ ...plain, button: 1 })).toBe(true);
  });
});

describe("kindLabel and pageRange", () => {
  it("names the kinds in plain words", () => {
    expect(kindLabel("roleplay.sent_back")).toBe("Role-play sent back");
    expect(kindLabel("task_overdue")).toBe("Onboarding");
    expect(kindLabel("license.expiring")).toBe("License expiring");
    expect(kindLabel("onboarding.task_due")).toBe("Onboarding");
    expect(kindLabel("something.else")).toBe("Notice");
  });

  it("says which notices a page shows", () => {
    expect(pageRange(0, 20, 45)).toBe("Showing 1–20 of 45");
    expect(pageRange(40, 5, 45)).toBe("Showing 41–45 of 45");
    expect(pageRange(0, 0, 0)).toBe("");
  });
});

