import { expect, test } from "@playwright/test";
import { account, signIn, unique } from "./fixtures";
import { snap } from "./staff";

// A trainer starts a cohort with the demo agent on Cinder Valley Electric's
// outages line, two weeks back, counting due dates from the cohort's start,
// so the early tasks are overdue; the matrix, its CSV and the agent's own
// plan show it, by names (people's, modules', quizzes'), not slugs or emails.
const PROGRAM = "Outages, voice and SMS";

test("a trainer creates a cohort with the demo agent and sees the progress matrix; the agent sees the dated tasks", async ({ page }, testInfo) => {
  const name = `Outages class ${unique()}`;
  const start = new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10);
  const agent = account("agent");

  await signIn(page, "trainer", "/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cohorts" }).click();
  await expect(page.getByRole("heading", { name: "Cohorts", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "New cohort" }).click();
  const form = page.getByRole("form", { name: "New cohort" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Start date").fill(start);

  // Without a program the API refuses, and says so at the programs.
  await form.getByRole("button", { name: "Create cohort" }).click();
  await expect(form.getByRole("group", { name: "Programs" })).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator("#cohort-programs-error")).not.toBeEmpty();

  await form.getByRole("group", { name: "Programs" }).getByLabel(PROGRAM).check();
  await form.getByLabel("Count due dates from").selectOption({ label: "The cohort's start date, for everyone (a late joiner starts behind)" });
  await form.getByLabel("Members").selectOption({ label: `Demo agent (${agent.email})` });
  await form.getByRole("button", { name: "Create cohort" }).click();

  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: `Created ${name} with 1 member.` })).toBeVisible();
  const matrix = page.getByRole("table", { name: new RegExp(`^Progress of ${name}`) });
  const row = matrix.getByRole("row").filter({ hasText: "Demo agent" });
  await expect(row.getByRole("rowheader")).toContainText("Demo agent");
  const headers = (await matrix.getByRole("columnheader").allTextContents()).join(" ");
  expect(headers).toContain("Pass quiz Cinder Valley");
  expect(headers).not.toMatch(/core\/|outages-certification|no-restore-time/);
  await expect(row).toContainText("Behind");
  await expect(row.locator("td.cell-overdue").first()).toContainText("Overdue");
  await expect(page.getByRole("table", { name: "Quiz pass rates" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Role-play competency averages" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Agents at risk" })).toContainText("Demo agent");
  await expect(page.getByRole("region", { name: "Agents at risk" })).not.toContainText("core/");
  await snap(page, testInfo, "trainer-cohort-matrix");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download progress CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const csv = Buffer.concat(await (await file.createReadStream()).toArray()).toString("utf8");
  expect(csv).toContain(agent.email);
  expect(csv).toContain("Demo agent");
  expect(csv).toContain("overdue");
  expect(csv.split("\n")[0]).toContain(`${PROGRAM}: day 1 Read `);

  // The cohorts list has it.
  await page.getByRole("link", { name: "← Cohorts" }).click();
  await expect(page.getByRole("table", { name: "Cohorts, newest start first" }).getByRole("row").filter({ hasText: name })).toContainText(PROGRAM);
  await snap(page, testInfo, "trainer-cohorts");

  // The agent sees the dated tasks on My training.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Email")).toBeVisible();
  await signIn(page, "agent", "/training");
  const plan = page.getByRole("region", { name: `Onboarding: ${name}` });
  await expect(plan).toContainText("Behind");
  const tasks = plan.getByRole("list", { name: `Onboarding tasks of ${name}, by due date` });
  await expect(tasks.getByRole("listitem").first()).toContainText("Due");
  await expect(tasks.getByRole("listitem").filter({ hasText: "Overdue" }).first()).toBeVisible();
  await snap(page, testInfo, "agent-onboarding-tasks");
});
