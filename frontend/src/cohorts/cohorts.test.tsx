import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import type { CohortMatrix } from "../api/onboarding";
import { MatrixTable } from "./CohortDetail";
import { oneDecimal, overdueByColumn, percent, score, statusClass, taskLabel } from "./logic";

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

describe("MatrixTable", () => {
  afterEach(cleanup);

  it("is a table of members by task, with statuses in words and overdue cells highlighted", () => {
    render(<MatrixTable m={matrix} />);
    const table = screen.getByRole("table", { name: /Progress of March class/ });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers[2]).toContain("Read Outage basics");
    expect(headers[3]).toContain("2 overdue");
    const ann = within(table).getByRole("row", { name: /Ann Lee/ });
    expect(within(ann).getByRole("rowheader")).toHaveTextContent("Ann Lee");
    const cells = within(ann).getAllByRole("cell");
    expect(cells.map((c) => c.textContent)).toEqual(["Behind (1 overdue)", "Done", "Overdue", "Not started"]);
    expect(cells[2]).toHaveClass("cell-overdue");
    expect(cells[1]).not.toHaveClass("cell-overdue");
    const bo = within(table).getByRole("row", { name: /bo@x\.test/ });
    expect(within(bo).getAllByRole("cell")[3]).toHaveTextContent("—");
  });

  it("names tasks, programs and people, never slugs", () => {
    render(<MatrixTable m={matrix} />);
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent ?? "");
    expect(headers[3]).toContain("Pass quiz Outages certification");
    expect(headers[4]).toContain("Play role-play No restore time");
    expect(headers[2]).toContain("Outages · day 1");
    expect(headers.join(" ")).not.toMatch(/outage-basics|outages-certification|no-restore-time/);
    // A member without a display name reads as their email.
    expect(screen.getByRole("row", { name: /bo@x\.test/ })).toBeInTheDocument();
  });

  it("says so when there are no members", () => {
    render(<MatrixTable m={{ ...matrix, rows: [] }} />);
    expect(screen.getByText(/No members yet/)).toBeInTheDocument();
  });
});
