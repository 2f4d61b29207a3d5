import { expect, test, type APIRequestContext } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn } from "./fixtures";
import { newHire, snap, type NewHire } from "./staff";
import { completeModules } from "./training";

// A trainer reads the attempts at the outages quiz: two new hires, one who submitted (one answer given) and
// one whose attempt is still open; the filters narrow the list and a submitted attempt opens in full.
const PROGRAM = "Outages, voice and SMS";

async function startAttempt(request: APIRequestContext, hire: NewHire) {
  const r = await request.post("/api/v1/auth/login", { data: { email: hire.email, password: hire.password, refresh_token_delivery: "body" } });
  const headers = { Authorization: `Bearer ${(await r.json()).access_token}` };
  await completeModules(request, hire, hire.programID);
  const { quizzes } = await (await request.get(`/api/v1/programs/${hire.programID}/quizzes`, { headers })).json();
  const quiz = quizzes[0] as { id: string; title: string };
  const started = await request.post(`/api/v1/quizzes/${quiz.id}/attempts`, { headers });
  if (started.status() !== 201) throw new Error(`start: ${started.status()} ${await started.text()}`);
  return { quiz, attempt: await started.json(), headers };
}

test("a trainer filters a quiz's attempts and opens one in full", async ({ page, request }, testInfo) => {
  const sam = await newHire(request, "cinder-valley-electric", "outages", "Sam Submitted");
  const olu = await newHire(request, "cinder-valley-electric", "outages", "Olu Open");
  const s = await startAttempt(request, sam);
  // The first question with options drawn (the draw is random), answered with its first option.
  const first = (s.attempt.questions as { id: string; text: string; options?: { id: string; text: string }[] }[]).find((q) => q.options?.length)!;
  const saved = await request.put(`/api/v1/attempts/${s.attempt.id}/answers`, {
    headers: s.headers, data: { seq: 1, answers: { [first.id]: { choices: [first.options![0].id] } } },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  expect((await request.post(`/api/v1/attempts/${s.attempt.id}/submit`, { headers: s.headers })).status()).toBe(200);
  await startAttempt(request, olu);

  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("link", { name: `Attempts at ${s.quiz.title}` }).click();
  await expect(page.getByRole("heading", { name: `Attempts: ${s.quiz.title}` })).toBeVisible();
  const table = page.getByRole("table", { name: "The quiz's attempts, newest first" });
  await expect(table.getByRole("row").filter({ hasText: sam.email })).toContainText("Failed");
  await expect(table.getByRole("row").filter({ hasText: olu.email })).toContainText("Open");

  await page.getByLabel("State").selectOption("open");
  await expect(table.getByRole("row").filter({ hasText: olu.email })).toHaveCount(1);
  await expect(table.getByRole("row").filter({ hasText: sam.email })).toHaveCount(0);
  await page.getByLabel("State").selectOption("");
  await page.getByLabel("Agent").selectOption({ label: `Sam Submitted <${sam.email}>` });
  await expect(page.getByRole("status").filter({ hasText: /^1 attempt$/ })).toBeVisible();
  await page.getByLabel("Result").selectOption("true");
  await expect(page.getByRole("status").filter({ hasText: /^0 attempts$/ })).toBeVisible();
  await page.getByLabel("Result").selectOption("false");
  await expect(table.getByRole("row").filter({ hasText: sam.email })).toHaveCount(1);
  await expectNoSeriousA11yViolations(page, "quiz attempts");
  await snap(page, testInfo, "trainer-quiz-attempts");

  await table.getByRole("link", { name: "Attempt 1 by Sam Submitted" }).click();
  const dialog = page.getByRole("dialog", { name: `${s.quiz.title}: attempt 1 by Sam Submitted` });
  await expect(dialog).toContainText(first.options![0].text);
  await expect(dialog.getByRole("listitem").filter({ hasText: first.text.replace(/\*\*|__|`/g, "") })).toContainText(`Answer: ${first.options![0].text}`);
  await expect(dialog.getByText("not answered").first()).toBeVisible();
  await expectNoSeriousA11yViolations(page, "quiz attempt in full");
  await snap(page, testInfo, "trainer-quiz-attempt");
  // The address keeps the attempt open: reloading shows it again.
  await page.reload();
  await expect(page.getByRole("dialog", { name: /attempt 1 by Sam Submitted/ })).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).last().click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "screenshots/trainer-quiz-attempts-390.png" });
});
