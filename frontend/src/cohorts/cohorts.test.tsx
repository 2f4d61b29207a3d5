import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import type { CohortMatrix } from "../api/onboarding";
import userEvent from "@testing-library/user-event";
import { HeatMap } from "./HeatMap";
import { arrangeRows, byPlanDay, csvText, dayGroups, doneOf, oneDecimal, overdueByColumn, percent, score, statusByDay, statusClass, taskLabel } from "./logic";

const matrix: CohortMatrix = {
  cohort_id: "c1", name: "March class", as_of: "2026-03-10",
  columns: [
    { program_id: "p1", program: "outages", program_name: "Outages", kind: "module", slug: "outage-basics", title: "Outage basics", day: 1, due_date: "2026-03-02" },
    { program_id: "p1", program: "outages", program_name: "Outages", kind: "quiz", slug: "outages-certification", title: "Outages certification", day: 3, due_date: "2026-03-04" },
    { program_id: "p1", program: "outages", program_name: "Outages", kind: "roleplay", slug: "no-restore-time", title: "No restore time", day: 9, due_date: "2026-03-12" },
  ],
  rows: [
    { user_id: "u1", email: "ann@x.test", display_name: "Ann Lee", status: "behind", done: 1, overdue: 1, cells: [{ task_id: "t1", status: "done" }, { task_id: "t2", status: "overdue" }, { task_id: "t3", status: "not_started" }] },
    { user_id: "u2", email: "bo@x.test", display_name: "", status: "behind", done: 0, overdue: 2, cells: [{ task_id: "t4", status: "overdue" }, { task_id: "t5", status: "overdue" }, { status: "" }] },
  ],
};

describe("cohort logic", () => {
  it("words and figures", () => {
    expect(taskLabel("module", "outage-basics")).toBe("Read outage-basics");
    expect(taskLabel("quiz", "q")).toBe("Pass quiz q");
    expect(taskLabel("module", "outage-basics", "Outage basics")).toBe("Read Outage basics");
    expect(percent(0.756)).toBe("75%"); // down to a whole percent, the app's one rule (lib/format)
    expect(percent(null)).toBe("—");
    expect(score(81.25)).toBe("81%");
    expect(oneDecimal(1.25)).toBe("1.3");
    expect(oneDecimal(2)).toBe("2");
    expect(oneDecimal(null)).toBe("—");
    expect(statusClass("overdue")).toBe("bad");
    expect(statusClass("done")).toBe("ok");
    expect(statusClass("")).toBe("off");
  });

  it("counts overdue members per column", () => {
    expect(overdueByColumn(matrix.rows, 3)).toEqual([1, 2, 0]);
    expect(overdueByColumn([], 2)).toEqual([0, 0]);
  });
});

describe("HeatMap", () => {
  afterEach(cleanup);

  it("is a table of members by task under plan days, statuses in words and glyphs, overdue cells marked", () => {
    render(<HeatMap m={matrix} />);
    const table = screen.getByRole("table", { name: /Progress of March class/ });
    const days = within(table).getAllByRole("columnheader").filter((h) => h.getAttribute("scope") === "colgroup").map((h) => h.textContent);
    expect(days).toEqual(["Day 1", "Day 3", "Day 9"]);
    const headers = within(table).getAllByRole("columnheader").filter((h) => h.getAttribute("scope") === "col").map((h) => h.textContent);
    expect(headers[2]).toContain("Read Outage basics");
    expect(within(table).getAllByRole("columnheader").find((h) => h.textContent?.includes("Pass quiz"))).toHaveAttribute("title", expect.stringContaining("2 overdue"));
    const ann = within(table).getByRole("row", { name: /Ann Lee/ });
    expect(within(ann).getByRole("rowheader")).toHaveTextContent("Ann LeeBehind (1 overdue)");
    const cells = within(ann).getAllByRole("cell");
    expect(cells.map((c) => c.textContent)).toEqual(["33%, 1 of 3 done", "✓Done", "!Overdue", "·Not started"]);
    expect(cells[2]).toHaveClass("cell-overdue");
    expect(cells[2]).toHaveAttribute("title", "Ann Lee — Pass quiz Outages certification · Outages · day 3 · due Mar 4, 2026: Overdue");
    const bo = within(table).getByRole("row", { name: /bo@x\.test/ });
    expect(within(bo).getAllByRole("cell")[3]).toHaveTextContent("—");
  });

  it("names tasks, programs and people, never slugs", () => {
    render(<HeatMap m={matrix} />);
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent ?? "");
    expect(headers.join(" ")).toContain("Play role-play No restore time");
    expect(headers.join(" ")).toContain("Outages · day 1");
    expect(headers.join(" ")).not.toMatch(/outage-basics|outages-certification|no-restore-time/);
  });

  it("sorts and filters members", async () => {
    const user = userEvent.setup();
    const m: CohortMatrix = { ...matrix, rows: [...matrix.rows, { user_id: "u3", email: "cy@x.test", display_name: "Cy Doe", status: "on_track", done: 3, overdue: 0, cells: [{ task_id: "t6", status: "done" }, { task_id: "t7", status: "done" }, { task_id: "t8", status: "done" }] }] };
    render(<HeatMap m={m} />);
    const names = () => within(screen.getByRole("table")).getAllByRole("rowheader").map((h) => h.firstChild?.textContent);
    expect(names()).toEqual(["bo@x.test", "Ann Lee", "Cy Doe"]); // most overdue first
    await user.selectOptions(screen.getByLabelText("Sort members by"), "Name");
    expect(names()).toEqual(["Ann Lee", "bo@x.test", "Cy Doe"]);
    await user.selectOptions(screen.getByLabelText("Sort members by"), "Share done, lowest first");
    expect(names()).toEqual(["bo@x.test", "Ann Lee", "Cy Doe"]);
    await user.selectOptions(screen.getByLabelText("Show"), "On track");
    expect(names()).toEqual(["Cy Doe"]);
    expect(screen.getByRole("status")).toHaveTextContent("1 of 3 members shown.");
  });

  it("says so when there are no members", () => {
    render(<HeatMap m={{ ...matrix, rows: [] }} />);
    expect(screen.getByText(/No members yet/)).toBeInTheDocument();
  });
});

describe("heat map logic", () => {
  it("puts the columns of several programs in plan-day order, cells with them", () => {
    const m = {
      columns: [{ day: 1, slug: "a1" }, { day: 2, slug: "a2" }, { day: 1, slug: "b1" }, { day: 3, slug: "b3" }, { day: 2, slug: "b2" }],
      rows: [{ name: "x", cells: ["A1", "A2", "B1", "B3", "B2"] }],
    };
    const got = byPlanDay(m);
    expect(got.columns.map((c) => c.slug)).toEqual(["a1", "b1", "a2", "b2", "b3"]);
    expect(got.rows[0].cells).toEqual(["A1", "B1", "A2", "B2", "B3"]);
    expect(dayGroups(got.columns)).toEqual([{ day: 1, start: 0, span: 2 }, { day: 2, start: 2, span: 2 }, { day: 3, start: 4, span: 1 }]);
    expect(m.columns[1].slug).toBe("a2"); // the matrix itself is left as it was
  });
  it("groups columns by plan day and counts statuses per day", () => {
    expect(dayGroups([{ day: 1 }, { day: 1 }, { day: 2 }, { day: 1 }])).toEqual([
      { day: 1, start: 0, span: 2 }, { day: 2, start: 2, span: 1 }, { day: 1, start: 3, span: 1 },
    ]);
    expect(statusByDay(matrix.columns, matrix.rows)).toEqual([
      { day: 1, done: 1, in_progress: 0, not_started: 0, overdue: 1 },
      { day: 3, done: 0, in_progress: 0, not_started: 0, overdue: 2 },
      { day: 9, done: 0, in_progress: 0, not_started: 1, overdue: 0 },
    ]);
    expect(doneOf(matrix.rows[1])).toEqual({ done: 0, total: 2, share: 0 });
    expect(arrangeRows(matrix.rows, "name", "behind").map((r) => r.user_id)).toEqual(["u1", "u2"]);
  });

  it("writes CSV with quoting and neutralized formulas, numbers as they are", () => {
    expect(csvText(["a", "b"], [["=SUM(A1)", -5], ['say "hi", then', 2]])).toBe(`a,b\r\n'=SUM(A1),-5\r\n"say ""hi"", then",2\r\n`);
  });
});
