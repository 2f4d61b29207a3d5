import { describe, expect, it } from "vitest";
import { daysUntil, formatDate, formatDueDay, formatDateTime, formatPercent, formatShare, parseDate, relativeDay, wholePercent } from "./format";

describe("dates for people", () => {
  it("reads a calendar day as that day, whatever the time zone", () => {
    expect(formatDate("2026-12-01")).toBe("Dec 1, 2026");
    expect(formatDate("2027-01-31")).toBe("Jan 31, 2027");
    const d = parseDate("2026-12-01")!;
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()]).toEqual([2026, 11, 1, 0]);
  });

  it("reads a time in the reader's zone, in the one format", () => {
    const local = new Date(2026, 11, 1, 14, 5); // Dec 1, 2026, 2:05 PM here
    expect(formatDate(local.toISOString())).toBe("Dec 1, 2026");
    expect(formatDateTime(local.toISOString())).toBe("Dec 1, 2026, 2:05 PM");
    expect(formatDateTime(new Date(2026, 2, 12, 9, 0).toISOString())).toBe("Mar 12, 2026, 9:00 AM");
    // A calendar day has no time of day to show.
    expect(formatDateTime("2026-12-01")).toBe("Dec 1, 2026");
  });

  it("reads a deadline as the last day that is still on time", () => {
    expect(formatDueDay(new Date(2026, 11, 5, 0, 0).toISOString())).toBe("Dec 4, 2026"); // by the end of Dec 4
    expect(formatDueDay(new Date(2026, 11, 5, 14, 30).toISOString())).toBe("Dec 5, 2026");
    expect(formatDueDay("2026-12-05")).toBe("Dec 5, 2026");
    expect(formatDueDay(null)).toBe("—");
  });

  it("leaves nothing and nonsense recognisable", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDate(undefined)).toBe("—");
    expect(formatDateTime("")).toBe("—");
    expect(formatDate("soon")).toBe("soon");
    expect(parseDate("2026-13-45x")).toBeNull();
  });

  it("counts calendar days, not 24-hour spans", () => {
    const now = new Date(2026, 11, 7, 23, 30);
    expect(daysUntil("2026-12-08", now)).toBe(1);
    expect(daysUntil("2026-12-07", now)).toBe(0);
    expect(daysUntil("2026-12-04", now)).toBe(-3);
    expect(daysUntil(new Date(2026, 11, 8, 0, 10).toISOString(), now)).toBe(1);
    expect(daysUntil("2027-03-30", now)).toBe(113); // across a daylight-saving change in most zones
    expect(daysUntil(null, now)).toBeNull();
    expect(relativeDay("2026-12-07", now)).toBe("today");
    expect(relativeDay("2026-12-08", now)).toBe("tomorrow");
    expect(relativeDay("2026-12-06", now)).toBe("yesterday");
    expect(relativeDay("2026-12-10", now)).toBe("in 3 days");
    expect(relativeDay("2026-12-01", now)).toBe("6 days ago");
    expect(relativeDay("", now)).toBe("");
  });
});

describe("percentages for people", () => {
  it("shows whole percents, rounded down", () => {
    expect(formatPercent(21.42857)).toBe("21%");
    expect(formatPercent(53.85)).toBe("53%");
    expect(formatPercent(100)).toBe("100%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(99.99)).toBe("99%");
  });

  it("never shows a missed pass mark as reached", () => {
    expect(formatPercent(69.99)).toBe("69%");
    expect(formatPercent(70)).toBe("70%");
  });

  it("counts binary fractions a hair under a whole number as that number", () => {
    expect(0.57 * 100).toBeLessThan(57); // 56.99999999999999
    expect(formatPercent(0.57 * 100)).toBe("57%");
    expect(formatShare(0.57)).toBe("57%");
    expect(wholePercent(7 / 10 * 100)).toBe(70);
  });

  it("shares and nothing", () => {
    expect(formatShare(0.756)).toBe("75%");
    expect(formatShare(1)).toBe("100%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(undefined)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
    expect(formatShare(null)).toBe("—");
    expect(Object.is(wholePercent(-0), 0)).toBe(true);
  });
});
