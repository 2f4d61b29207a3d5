import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { look, newHire, signInAs } from "./staff";
import { token } from "./training";

const PROGRAM = "Outages, voice and SMS";

test("a trainer writes a quiz with three question types, previews it, checks answers and publishes; an agent takes it", async ({ page, request, browser }, testInfo) => {
  test.setTimeout(120_000);
  const u = unique();
  const slug = `storm-check-${u}`;
  const title = `Storm check ${u}`;
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByLabel("New quiz's slug").fill(slug);
  await page.getByLabel("New quiz's title").fill(title);
  await page.getByRole("button", { name: "New quiz", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Quiz ${slug} (draft)` })).toBeVisible();

  // Settings as fields.
  await page.getByLabel("Pass mark (%)").fill("50");
  await page.getByLabel("Review after submitting").selectOption("feedback");

  // Three question types.
  await page.getByRole("link", { name: "Questions" }).click();
  const add = async (type: string) => {
    await page.getByLabel("New question type").selectOption(type);
    await page.getByRole("button", { name: "Add a question" }).click();
  };
  await add("true_false");
  await page.getByLabel("Question 1 text").fill("Downed wires are reported to Emergency Dispatch.");
  await add("single_choice");
  await page.getByLabel("Question 2 text").fill("Who gets priority during an outage?");
  await page.getByLabel("Option 1", { exact: true }).fill("Medical-priority customers");
  await page.getByLabel("Option 2", { exact: true }).fill("Customers who call twice");
  await add("short_answer");
  await page.getByLabel("Question 3 text").fill("Which desk takes hazard calls?");
  await page.getByLabel("Answer 1", { exact: true }).fill("Emergency Dispatch");
  await expect(page.getByText("Draw feasible: 3 of 3 question(s) per attempt")).toBeVisible();
  await look(page, testInfo, "quiz-editor-questions");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // The preview as an agent sees it; the grading is shown to the author only.
  await page.getByRole("link", { name: "Preview" }).click();
  await page.getByRole("radio", { name: "True" }).check();
  await page.getByRole("radio", { name: "Medical-priority customers" }).check();
  await page.getByRole("textbox", { name: "Your answer" }).fill("emergency dispatch");
  await page.getByRole("button", { name: "Check my answers" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Score 100%" })).toBeVisible();
  await look(page, testInfo, "quiz-editor-preview");

  await page.getByRole("link", { name: "Settings" }).click();
  await look(page, testInfo, "quiz-editor-settings");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published:" })).toBeVisible({ timeout: 15_000 });

  // An agent of the program sees it and takes it.
  const hire = await newHire(request, "cinder-valley-electric", "outages", "Quinn Quizeditor");
  const agent = await browser.newPage();
  await signInAs(agent, hire.email, hire.password, `/training/${hire.programID}`);
  const card = agent.getByRole("article", { name: title });
  await card.getByRole("button", { name: "Start quiz" }).click();
  await agent.getByRole("radio", { name: "True" }).check();
  await agent.getByRole("radio", { name: "Medical-priority customers" }).check();
  await agent.getByRole("textbox", { name: "Your answer" }).fill("Emergency Dispatch");
  await agent.getByRole("button", { name: "Submit answers" }).click();
  await expect(agent.getByText(/passed/i).first()).toBeVisible({ timeout: 15_000 });
  await agent.close();
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
  const draftID = page.url().split("/library/bank-drafts/")[1].split("?")[0];
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const cur = await request.get(`/api/v1/library/drafts/${draftID}`, { headers: admin });
  const put = await request.put(`/api/v1/library/drafts/${draftID}`, {
    headers: { ...admin, "If-Match": cur.headers()["etag"] ?? (await cur.json()).etag }, data: { body: `${original}\n// a colleague's note\n` },
  });
  expect(put.status()).toBe(200);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Someone saved this draft since you opened it" })).toBeVisible();
  await page.getByRole("button", { name: "Reload the draft" }).click();
  await expect(text).toHaveValue(/a colleague's note/);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByRole("heading", { name: "Question banks" })).toBeVisible();
});
