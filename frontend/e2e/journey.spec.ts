import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures";
import { newHire, passTime, signInAs, snap, type NewHire } from "./staff";
import { answerRight, quizKey } from "./training";

// A new hire's whole way to the queue, in a program without license
// requirements whose role-play needs a supervisor's sign-off: Cinder Valley
// Electric's outages line.
const PROGRAM = "Outages, voice and SMS";
const MEDICAL_REPLY =
  "I'm so sorry, I understand how frightening this is for your dad. I can't promise a time, so please don't wait on us: " +
  "move to a backup plan now, like the cylinders or family with power, and call 911 if his life is ever at risk. " +
  "I'll flag your report as medical and get my team lead to have Community Response call you back.";

let hire: NewHire;

test.beforeAll(async ({ request }) => {
  hire = await newHire(request, "cinder-valley-electric", "outages", "Robin New");
});

test("a new hire reads, fails then passes the quiz, plays the role-play, is signed off and becomes routable", async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const key = quizKey("cinder-valley-electric/outages/outages-certification.quiz.yaml");

  // Read every module of the plan.
  await signInAs(page, hire.email, hire.password, `/training/${hire.programID}`);
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
  const plan = page.getByRole("table", { name: "Requirements in plan order" });
  const titles = await plan.getByRole("link").allTextContents();
  expect(titles.length).toBeGreaterThan(5);
  for (const title of titles) {
    await plan.getByRole("link", { name: title, exact: true }).click();
    await page.getByRole("button", { name: /^Mark version \d+ complete$/ }).click();
    await expect(page.getByRole("status").filter({ hasText: /You completed version \d+/ })).toBeVisible();
    await page.getByRole("link", { name: "← Program" }).click();
  }
  await expect(page.getByText(`${titles.length} of ${titles.length + 2} done`)).toBeVisible();

  // Fail the quiz: submit it unanswered.
  await page.getByRole("button", { name: "Start quiz" }).click();
  await expect(page.getByText(/Time left \d+:\d\d/)).toBeVisible();
  await page.getByRole("button", { name: "Submit answers" }).click();
  await page.getByRole("dialog", { name: "Submit with unanswered questions?" }).getByRole("button", { name: "Submit anyway" }).click();
  await expect(page.getByText("✗ Not passed")).toBeVisible();

  // The next attempt waits a day; move the failed one a day back rather than wait.
  await page.goto(`/training/${hire.programID}`);
  await expect(page.getByText(/next attempt from/)).toBeVisible();
  passTime(hire.id);
  await page.reload();
  const attemptLoaded = page.waitForResponse((r) => /\/api\/v1\/attempts\/[^/]+$/.test(r.url()) && r.request().method() === "GET");
  await page.getByRole("button", { name: "Start quiz" }).click();
  const attempt = await (await attemptLoaded).json();
  for (const q of attempt.questions as { id: string }[]) await answerRight(page, key.get(q.id)!);
  await expect(page.getByRole("status").filter({ hasText: "All answers saved" })).toBeVisible();
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText("✓ Passed")).toBeVisible();

  // Play the role-play on its best path.
  await page.goto(`/training/${hire.programID}`);
  await page.getByRole("button", { name: "Start role-play" }).click();
  for (let turn = 0; turn < 12; turn++) {
    const answered = page.waitForResponse((r) => r.url().endsWith("/turns") && r.request().method() === "POST");
    const text = page.getByLabel("Your reply, in your own words");
    const choices = page.getByRole("group", { name: "Your reply — choose one:" }).getByRole("button");
    await expect(text.or(choices.first())).toBeVisible();
    if (await text.isVisible()) {
      await text.fill(MEDICAL_REPLY);
      await page.getByRole("button", { name: "Send reply" }).click();
    } else {
      await choices.first().click();
    }
    expect((await answered).status()).toBe(200);
    if ((await (await answered).json()).state !== "in_progress") break;
  }
  await expect(page.getByText("waiting for a supervisor's sign-off")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Email")).toBeVisible();

  // The supervisor finds the run in the queue, comments on a turn and approves it.
  await signIn(page, "supervisor", "/");
  await expect(page.getByRole("region", { name: /Role-play runs waiting for your sign-off/ })).toContainText("Robin New");
  await snap(page, testInfo, "supervisor-home");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reviews" }).click();
  await expect(page.getByRole("heading", { name: "Role-play reviews" })).toBeVisible();
  await snap(page, testInfo, "supervisor-review-queue");
  // The queue names the agent and the role-play, not an email and a slug.
  await expect(page.getByRole("row").filter({ hasText: "Robin New" })).not.toContainText("no-restore-time");
  await page.getByRole("link", { name: /^Review Robin New's run of [A-Z]/ }).click();
  await expect(page.getByRole("heading", { name: "Transcript" })).toBeVisible();
  // The run names who played it.
  await expect(page.getByText("Played by Robin New")).toBeVisible();
  const third = page.getByRole("listitem", { name: "Turn 3" });
  await third.getByLabel("Comment on turn 3").fill("Good: backup plan and 911 before anything else.");
  await third.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByRole("list", { name: "Comments on turn 3" })).toContainText("backup plan and 911");
  await snap(page, testInfo, "supervisor-review-run");
  // Sending back without a note is refused, and the error sits at the note.
  await page.getByRole("button", { name: "Send back" }).click();
  await expect(page.getByLabel("Note to the agent")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Note to the agent")).toBeFocused();
  await page.getByLabel("Note to the agent").fill("Signed off: calm, safe and honest.");
  await page.getByRole("button", { name: "Approve and sign off" }).click();
  // The notice says what the sign-off did to the certification.
  await expect(page.getByRole("status").filter({ hasText: `Approved and signed off. Robin New is certified in ${PROGRAM} until` })).toBeVisible();

  // Assign the new hire to the queue; the roster shows them eligible.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rosters" }).click();
  await page.getByLabel("Program").selectOption({ label: PROGRAM });
  await page.getByLabel("Agent", { exact: true }).selectOption({ label: `Robin New (${hire.email})` });
  await page.getByRole("button", { name: "Assign to queue" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Assigned Robin New to the queue." })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: hire.email });
  await expect(row.getByText("Eligible", { exact: true })).toBeVisible();
  await snap(page, testInfo, "supervisor-roster");
});

test("an assignment the gate refuses says why, next to the agent", async ({ page, request }) => {
  const other = await newHire(request, "cinder-valley-electric", "outages", "Sam Untrained");
  await signIn(page, "supervisor", "/rosters");
  await page.getByLabel("Program").selectOption({ label: PROGRAM });
  await page.getByLabel("Agent", { exact: true }).selectOption({ label: `Sam Untrained (${other.email})` });
  await page.getByRole("button", { name: "Assign to queue" }).click();
  const agent = page.getByLabel("Agent", { exact: true });
  await expect(agent).toHaveAttribute("aria-invalid", "true");
  await expect(agent).toBeFocused();
  await expect(page.locator(".field-error")).toContainText("Refused:");
});
