import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { PublicQuestion } from "../api/learning";
import { Cloze } from "./QuizTake";

afterEach(cleanup);

const q: PublicQuestion = {
  id: "tv", type: "cloze", points: 2, format: "markdown",
  text: "A TV has {{gap:1}} from the {{gap:2}}; Plus adds {{gap:3}} days, {{gap:4}}.",
  gaps: [
    { id: "1", kind: "choice", display: "dropdown", points: 2, options: [{ id: "o30", text: "30 days" }, { id: "o15", text: "15 days" }] },
    { id: "2", kind: "short", points: 1 },
    { id: "3", kind: "numeric", points: 1 },
    { id: "4", kind: "choice", display: "horizontal", points: 1, options: [{ id: "oy", text: "yes" }, { id: "on", text: "no" }] },
  ],
};

describe("Cloze", () => {
  it("puts a labelled field in each gap, in the text's order", () => {
    render(<Cloze q={q} name="q-tv-input" value={{}} onChange={() => {}} errorId="e" />);
    expect(screen.getByRole("combobox", { name: "Gap 1 of 4" })).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Gap 2 of 4" })).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Gap 3 of 4 (a number)" })).toHaveAttribute("inputmode", "decimal");
    expect(screen.getByRole("radiogroup", { name: "Gap 4 of 4" })).toBeInTheDocument();
    expect(screen.getAllByRole("radio")).toHaveLength(2);
    expect(document.querySelector(".cloze")?.textContent).toContain("A TV has");
  });

  it("answers by gap id and drops a cleared gap", () => {
    const onChange = vi.fn();
    render(<Cloze q={q} name="q-tv-input" value={{ "2": "delivery" }} onChange={onChange} errorId="e" />);
    fireEvent.change(screen.getByRole("combobox", { name: "Gap 1 of 4" }), { target: { value: "o30" } });
    expect(onChange).toHaveBeenLastCalledWith({ "1": "o30", "2": "delivery" });
    fireEvent.change(screen.getByRole("textbox", { name: "Gap 2 of 4" }), { target: { value: "" } });
    expect(onChange).toHaveBeenLastCalledWith({});
    fireEvent.click(screen.getByRole("radio", { name: "no" }));
    expect(onChange).toHaveBeenLastCalledWith({ "2": "delivery", "4": "on" });
  });

  it("marks the gap a refusal names as invalid, described by the message", () => {
    render(<Cloze q={q} name="q-tv-input" value={{ "3": "12,5" }} onChange={() => {}} error="Gap 3: Use a point for decimals, such as 12.5." errorId="q-tv-error" />);
    const field = screen.getByRole("textbox", { name: "Gap 3 of 4 (a number)" });
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAttribute("aria-describedby", "q-tv-error");
    expect(screen.getByRole("textbox", { name: "Gap 2 of 4" })).not.toHaveAttribute("aria-invalid");
  });
});
