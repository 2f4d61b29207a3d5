import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { colleagueSaves, draftID, enrollAgent, takeQuiz, writeQuiz } from "./authoring";
import { look } from "./staff";

const PROGRAM = "Outages, voice and SMS";

test("a trainer writes a quiz with three question types, previews it, checks answers and publishes; an agent takes it", async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const u = unique();
  const slug = `storm-check-${u}`;
  const title = `Storm check ${u}`;
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await writeQuiz(page, slug, title, testInfo);

  // An agent of the program sees it and takes it.
  await enrollAgent(page, request, "outages", "Quinn Quizeditor");
  await takeQuiz(page, title);
});

test("a trainer edits a bank as a draft: GIFT is read as it is typed and previewed as agents see it, then discarded", async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page, "trainer", "/banks");
  await page.getByLabel("Client").selectOption({ label: "Fenmore Bank" });
  const bank = page.getByRole("list", { name: "Banks" }).getByRole("listitem").filter({ hasText: "card-fees" });
  await bank.getByRole("button", { name: "Edit card-fees" }).click();
  await expect(page.getByRole("heading", { name: "Bank card-fees.gift (draft)" })).toBeVisible();
  const text = page.getByLabel("Bank text");
  const original = await text.inputValue();
  await expect(page.getByText(/^\d+ question\(s\) read\.$/)).toBeVisible();

  // Pasting broken GIFT names the line; a fixed question joins the preview.
  await text.fill(`${original}\n::broken::Is this closed? {=yes ~no\n`);
  await expect(page.getByText(/line \d+: /).first()).toBeVisible();
  await text.fill(`${original}\n::pasted::Card fees are listed in the fee table.{TRUE}\n`);
  await expect(page.getByText("Card fees are listed in the fee table.")).toBeVisible();
  await look(page, testInfo, "bank-editor");

  // A colleague saves the draft in between: the save is refused (409), nothing is overwritten, the draft reloads.
  await colleagueSaves(request, draftID(page, "bank"), () => `${original}\n// a colleague's note\n`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Someone saved this draft since you opened it" })).toBeVisible();
  await page.getByRole("button", { name: "Reload the draft" }).click();
  await expect(text).toHaveValue(/a colleague's note/);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByRole("heading", { name: "Question banks" })).toBeVisible();
});
