import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { MoodMeter } from "./Mood";

afterEach(cleanup);

describe("MoodMeter", () => {
  it.each([
    ["furious", "Furious, 1 of 7"],
    ["angry", "Angry, 2 of 7"],
    ["delighted", "Delighted, 7 of 7"],
  ])("names %s in words and by its place on the scale", (mood, valuetext) => {
    render(<MoodMeter mood={mood} name="Tom Becker" />);
    const group = screen.getByRole("group", { name: "Tom Becker's mood" });
    expect(group).toHaveTextContent(`Mood: ${valuetext.split(",")[0]}`);
    expect(screen.getByLabelText("Mood on a scale from furious to delighted")).toHaveAttribute("aria-valuetext", valuetext);
  });
});
