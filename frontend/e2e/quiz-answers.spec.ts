import { expect, test } from "@playwright/test";
import { newHire, signInAs, snap, type NewHire } from "./staff";
import { answerRight, completeModules, quizKey } from "./training";

// No answer is ever lost: a numeric answer typed in words is refused at its
// field and never sent, every other answer is saved and graded, and submit
// lists what is not saved before it lets the agent go on.
let hire: NewHire;

test.beforeAll(async ({ request }) => {
  hire = await newHire(request, "cinder-valley-electric", "billing", "Quinn Numbers");
  await completeModules(request, hire, hire.programID);
});

test("words in a numeric answer are refused at the field; every other answer is saved and graded", async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const key = quizKey("cinder-valley-electric/billing/billing-certification.quiz.yaml");
  await signInAs(page, hire.email, hire.password, `/training/${hire.programID}`);
  const attemptLoaded = page.waitForResponse((r) => /\/api\/v1\/attempts\/[^/]+$/.test(r.url()) && r.request().method() === "GET");
  await page.getByRole("button", { name: /^(Start|Resume) quiz$/ }).click();
  const attempt = await (await attemptLoaded).json();
  const ids: string[] = attempt.questions.map((q: { id: string }) => q.id);
  const bad = ids.find((id) => key.get(id)!.type === "numeric")!;
  expect(bad, "the drawn questions include a numeric one").toBeTruthy();
  const badNumber = ids.indexOf(bad) + 1;

  // The words first, then every other question, as a person would.
  const field = page.locator(`[id="q-${bad}"]`).getByRole("textbox");
  await field.fill("ten dollars");
  for (const id of ids.filter((x) => x !== bad)) await answerRight(page, key.get(id)!);
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator(`[id="q-${bad}"]`)).toContainText("Enter only a number, without words, units or currency signs");
  await expect(page.getByRole("status").filter({ hasText: `Question ${badNumber} is not saved: see the note at the question.` })).toBeVisible();
  await snap(page, testInfo, "quiz-answer-refused");

  // Submit lists the unsaved answer first; "Keep answering" goes back to its field.
  await page.getByRole("button", { name: "Submit answers" }).click();
  const check = page.getByRole("dialog", { name: "Some answers are not saved" });
  await expect(check).toContainText(`Question ${badNumber}: Enter only a number`);
  await expect(check).toContainText("It counts as unanswered.");
  await check.getByRole("button", { name: "Keep answering" }).click();
  await expect(field).toBeFocused();

  // Every other answer reached the server: a reload restores them all.
  await page.reload();
  await expect(page.getByText(`${ids.length - 1} of ${ids.length} answered`)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "All answers saved" })).toBeVisible();

  // Submitted anyway, every other answer is graded right and the refused one scores nothing.
  await page.locator(`[id="q-${bad}"]`).getByRole("textbox").fill("$1,200");
  await page.getByRole("button", { name: "Submit answers" }).click();
  await page.getByRole("dialog", { name: "Some answers are not saved" }).getByRole("button", { name: "Submit anyway" }).click();
  await expect(page.getByRole("heading", { name: "Your answers" })).toBeVisible();
  const login = await request.post("/api/v1/auth/login", { data: { email: hire.email, password: hire.password, refresh_token_delivery: "body" } });
  const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const result = await (await request.get(`/api/v1/attempts/${attempt.id}/result`, { headers })).json();
  const marks = Object.fromEntries((result.result.questions as { id: string; mark: number }[]).map((q) => [q.id, q.mark]));
  for (const id of ids) expect(marks[id], `mark of ${id}`).toBe(id === bad ? 0 : 1);
  await snap(page, testInfo, "quiz-answer-refused-result");
});

test("numbers typed as people write them are saved and graded", async ({ page, request }) => {
  test.setTimeout(60_000);
  const other = await newHire(request, "cinder-valley-electric", "billing", "Rae Commas");
  await completeModules(request, other, other.programID);
  const key = quizKey("cinder-valley-electric/billing/billing-certification.quiz.yaml");
  await signInAs(page, other.email, other.password, `/training/${other.programID}`);
  const attemptLoaded = page.waitForResponse((r) => /\/api\/v1\/attempts\/[^/]+$/.test(r.url()) && r.request().method() === "GET");
  await page.getByRole("button", { name: /^(Start|Resume) quiz$/ }).click();
  const attempt = await (await attemptLoaded).json();
  const numeric = (attempt.questions as { id: string }[]).map((q) => q.id).filter((id) => key.get(id)!.type === "numeric");
  for (const id of numeric) {
    const a = key.get(id)!.answers!.find((x) => typeof x !== "object" || (x.weight ?? 100) === 100)!;
    const n = typeof a === "object" ? (a.value ?? a.min)! : Number(a);
    // "+15" or "1,200.50": a sign and grouping commas are read as the number.
    const typed = n >= 1000 ? n.toLocaleString("en-US", { maximumFractionDigits: 2 }) : `+${n}`;
    await page.locator(`[id="q-${id}"]`).getByRole("textbox").fill(typed);
  }
  await expect(page.getByRole("status").filter({ hasText: "All answers saved" })).toBeVisible();
  await page.reload();
  await expect(page.getByText(`${numeric.length} of ${attempt.questions.length} answered`)).toBeVisible();
  const login = await request.post("/api/v1/auth/login", { data: { email: other.email, password: other.password, refresh_token_delivery: "body" } });
  const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const sub = await (await request.post(`/api/v1/attempts/${attempt.id}/submit`, { headers })).json();
  for (const q of sub.result.questions as { id: string; mark: number }[]) {
    if (numeric.includes(q.id)) expect(q.mark, `mark of ${q.id}`).toBe(1);
  }
});
