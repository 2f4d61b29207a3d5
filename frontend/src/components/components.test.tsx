import { describe, expect, it, vi } from "vitest";
import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CsvErrors } from "./CsvErrors";
import { Dialog } from "./Dialog";
import { Field } from "./Field";

describe("CsvErrors", () => {
  it("shows each row's problem in a table, in row order, and says nothing was imported", () => {
    render(<CsvErrors message="the CSV has 2 problems" fields={{ "row 4.role": "must be one of agent", "row 2.email": "must be an email address" }} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Nothing was imported. the CSV has 2 problems");
    const cells = screen.getAllByRole("row").slice(1).map((r) => Array.from(r.querySelectorAll("td")).map((td) => td.textContent));
    expect(cells).toEqual([["2", "email", "must be an email address"], ["4", "role", "must be one of agent"]]);
  });
});

describe("Field", () => {
  it("labels the control and ties the error to it", () => {
    render(<Field label="Email" error="must be an email address"><input /></Field>);
    const input = screen.getByLabelText("Email");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("must be an email address");
  });

  it("is not invalid without an error", () => {
    render(<Field label="Name" hint="As colleagues know you."><input /></Field>);
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("As colleagues know you.");
  });
});

function Opener({ onClose }: { onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>Open</button>
      {open && (
        <Dialog title="Confirm" onClose={() => { onClose?.(); setOpen(false); }}>
          <input aria-label="First" />
          <button type="button">Last</button>
        </Dialog>
      )}
    </>
  );
}

describe("Dialog", () => {
  it("focuses inside, keeps Tab inside, closes on Escape and returns focus", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(<Opener onClose={onClose} />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    expect(screen.getByRole("button", { name: "Close" })).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText("First")).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("button", { name: "Last" })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("button", { name: "Close" })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole("button", { name: "Last" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Last" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Open" })).toHaveFocus();
  });
});
