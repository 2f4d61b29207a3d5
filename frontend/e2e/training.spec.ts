import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { signIn } from "./fixtures";
import { answerRight, enrollAgent, quizKey } from "./training";

// The demo agent starts with no programs: enroll it as an admin would, through the API.
test.beforeAll(async ({ request }) => {
  await enrollAgent(request);
});

async function shot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(`${name} (1280 px)`, { body: await page.screenshot({ fullPage: false }), contentType: "image/png" });
}

const PROGRAM = "Customer care, chat, email and voice";

test("an agent sees the programs, reads a module and marks it complete", async ({ page }, testInfo) => {
  await signIn(page, "agent", "/training");
  await expect(page.getByRole("heading", { name: "My training" })).toBeVisible();
  const card = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: PROGRAM }) });
  await expect(card.getByRole("progressbar")).toBeVisible();
  await expect(card).toContainText("Next:");
  await shot(page, testInfo, "My training");

  await card.getByRole("link", { name: PROGRAM }).click();
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
  await shot(page, testInfo, "Program plan");

  await page.getByRole("link", { name: "Voltcrate returns, refunds and warranty" }).click();
  const toc = page.getByRole("navigation", { name: "Contents of this module" });
  await expect(toc.getByRole("link", { name: "Restocking fee" })).toBeVisible();
  await expect(page.locator(".say-this").first()).toBeVisible();
  await shot(page, testInfo, "Module reader");
  // The contents follow the reader: jump to a section and it is the current one.
  await toc.getByRole("link", { name: "Refund timing" }).click();
  await expect(toc.getByRole("link", { name: "Refund timing" })).toHaveAttribute("aria-current", "location");
  await expect(page.getByRole("heading", { name: "Refund timing" })).toBeFocused();

  await page.getByRole("button", { name: "Mark version 1 complete" }).click();
  await expect(page.getByRole("status").filter({ hasText: "You completed version 1" })).toBeVisible();

  await page.getByRole("link", { name: "← Program" }).click();
  const row = page.getByRole("row").filter({ hasText: "Voltcrate returns, refunds and warranty" });
  await expect(row).toContainText("Done");
});

test("an agent takes the quiz: answers survive an expired token and a reload, and it passes", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const key = quizKey("voltcrate/customer-care/customer-care-certification.quiz.yaml");
  await signIn(page, "agent", "/training");
  await page.getByRole("link", { name: PROGRAM }).click();
  const attemptLoaded = page.waitForResponse((r) => /\/api\/v1\/attempts\/[^/]+$/.test(r.url()) && r.request().method() === "GET");
  await page.getByRole("button", { name: /^(Start|Resume) quiz$/ }).click();
  const attempt = await (await attemptLoaded).json();
  const ids: string[] = attempt.questions.map((q: { id: string }) => q.id);
  await expect(page.getByText(/Time left \d+:\d\d/)).toBeVisible();

  const half = Math.ceil(ids.length / 2);
  for (const id of ids.slice(0, half)) await answerRight(page, key.get(id)!);
  await expect(page.getByRole("status").filter({ hasText: "All answers saved" })).toBeVisible();
  await shot(page, testInfo, "Quiz");

  // Outlive the 20-second access token (e2e/serve.sh), then keep answering: nothing is lost.
  await page.waitForTimeout(21_000);
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh") && r.status() === 200);
  for (const id of ids.slice(half, -1)) await answerRight(page, key.get(id)!);
  await refreshed;
  await expect(page.getByRole("status").filter({ hasText: "All answers saved" })).toBeVisible();

  // A reload restores every answer from the server.
  await page.reload();
  await expect(page.getByText(`${ids.length - 1} of ${ids.length} answered`)).toBeVisible();

  // Submitting with a question left asks first.
  await page.getByRole("button", { name: "Submit answers" }).click();
  const confirm = page.getByRole("dialog", { name: "Submit with unanswered questions?" });
  await expect(confirm).toContainText("1 question is not answered");
  await confirm.getByRole("button", { name: "Keep answering" }).click();
  await answerRight(page, key.get(ids.at(-1)!)!);
  await expect(page.getByText(`${ids.length} of ${ids.length} answered`)).toBeVisible();
  await page.getByRole("button", { name: "Submit answers" }).click();

  await expect(page.getByText("✓ Passed")).toBeVisible();
  await expect(page.locator(".score .big")).toHaveText("100%");
  await expect(page.getByRole("heading", { name: "Your answers" })).toBeVisible();
  await expect(page.locator(".question-result")).toHaveCount(ids.length);
  await shot(page, testInfo, "Quiz result");
});

test("an agent plays the role-play as a chat with the customer's mood and sees the result", async ({ page }, testInfo) => {
  await signIn(page, "agent", "/training");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("button", { name: /^(Start|Resume) role-play$/ }).click();
  const mood = page.getByRole("group", { name: "Tom Becker's mood" });
  await expect(mood).toContainText("Mood: Angry");
  await expect(page.getByRole("complementary", { name: "On your screen" })).toContainText("VC-61733920");

  // The best reply each turn; the free-text turn gets a reply that does what its prompt asks.
  for (let turn = 0; turn < 12; turn++) {
    const answered = page.waitForResponse((r) => r.url().endsWith("/turns") && r.request().method() === "POST");
    const text = page.getByLabel("Your reply, in your own words");
    const choices = page.getByRole("group", { name: "Your reply — choose one:" }).getByRole("button");
    await expect(text.or(choices.first())).toBeVisible();
    if (await text.isVisible()) {
      await text.fill("I understand how frustrating this is, and I'm so sorry. I'll ask my team lead right now and I'll send you the invoice either way.");
      await page.getByRole("button", { name: "Send reply" }).click();
    } else {
      if (turn === 1) await shot(page, testInfo, "Role-play");
      await choices.first().click();
    }
    expect((await answered).status()).toBe(200);
    if ((await (await answered).json()).state !== "in_progress") break;
  }
  await expect(page.getByRole("heading", { name: /^Result: ✓ Passed/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Competency scores" })).toContainText("empathy");
  await shot(page, testInfo, "Role-play result");
});

test("an agent submits a license; the API's errors show next to their fields", async ({ page }, testInfo) => {
  await signIn(page, "agent", "/licenses");
  await page.getByLabel("State").fill("Texas");
  await page.getByLabel("License number").fill("TX-9912345");
  await page.getByLabel("NPN").fill("17283940");
  await page.getByLabel("Lines of authority").fill("life, accident-and-health");
  await page.getByLabel("Issue date").fill("2025-01-10");
  await page.getByLabel("Effective date").fill("2025-01-10");
  await page.getByLabel("Expiry date").fill("2029-01-10");
  await page.getByRole("button", { name: "Submit for verification" }).click();
  await expect(page.getByLabel("State")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("State")).toBeFocused();

  await page.getByLabel("State").fill("TX");
  await page.getByRole("button", { name: "Submit for verification" }).click();
  await expect(page.getByRole("status").filter({ hasText: "it is pending verification" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "TX-9912345" });
  await expect(row).toContainText("Pending verification");
  await row.getByRole("button", { name: /History of TX license/ }).click();
  await expect(page.getByRole("dialog")).toContainText("submit");
  await shot(page, testInfo, "My licenses");
  await page.keyboard.press("Escape");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My certifications" }).click();
  await expect(page.getByRole("heading", { name: "My certifications" })).toBeVisible();
  await expect(page.getByRole("article").filter({ hasText: PROGRAM })).toContainText("In training");
  await shot(page, testInfo, "My certifications");
});
