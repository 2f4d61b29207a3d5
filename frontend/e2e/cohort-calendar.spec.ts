import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { newHire, snap } from "./staff";
import { token } from "./training";

// A trainer edits a cohort's calendar in the app (a day off moves every due date after it), then previews and
// applies the programs' current onboarding plan to the cohort's members.

const day = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** A Monday at least a week ahead, "2026-12-14". */
function nextMonday(): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + 7);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}
const iso = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** The innermost elements that stick out past the window's right edge (to say what overflows). */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 0.5 || r.width === 0 || el.closest(".table-scroll") || !el.checkVisibility()) continue; // a wide table scrolls in its own region; a closed details is not shown
      if ([...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5)) continue;
      out.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || "").trim().slice(0, 30)}" right=${Math.round(r.right)}`);
    }
    return out.slice(0, 8).join("; ");
  });
}

/** Runs SQL on the e2e database (see e2e/serve.sh). */
function sql(q: string) {
  const url = readFileSync(fileURLToPath(new URL("./.database-url", import.meta.url)), "utf8").trim();
  execFileSync("psql", [url, "-qc", q]);
}

test("a trainer edits the cohort calendar and applies the plan to its members after a preview", async ({ page, request }, testInfo) => {
  const cal = await newHire(request, "fenmore-bank", "card-services", "Cal Endar");
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const me = await (await request.get("/api/v1/me", { headers: trainer })).json();
  const start = nextMonday();
  const name = `Calendar ${unique()}`;
  const c = await request.post("/api/v1/cohorts", {
    headers: trainer, data: { name, start_date: iso(start), trainer_id: me.id, program_ids: [cal.programID], due_from: "cohort_start" },
  });
  expect(c.status(), await c.text()).toBe(201);
  const id = (await c.json()).id as string;
  const m = await request.post(`/api/v1/cohorts/${id}/members`, { headers: trainer, data: { user_id: cal.id } });
  expect(m.status(), await m.text()).toBe(201);

  await signIn(page, "trainer", `/cohorts/${id}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  const key = page.locator(".heat-key");
  await key.getByText("Tasks by number").click();
  await expect(key.getByRole("listitem").first()).toContainText(`day 1 · due ${day.format(start)}`);

  // The start day becomes a day off: plan day 1 moves to Tuesday.
  const calendar = page.getByRole("form", { name: "Calendar" });
  await calendar.getByLabel("Add to days off").fill(iso(start));
  await calendar.getByRole("button", { name: "Add", exact: true }).first().click();
  await expect(calendar.getByRole("group", { name: "Days off" })).toContainText(day.format(start));
  await expectNoSeriousA11yViolations(page, "cohort calendar form");
  await calendar.getByRole("button", { name: "Save calendar" }).click();
  await expect(calendar.getByRole("status")).toHaveText("Saved: every member's due dates follow the calendar.");
  await expect(key.getByRole("listitem").first()).toContainText(`day 1 · due ${day.format(plusDays(start, 1))}`);
  await calendar.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-cohort-calendar");

  // Cal's quiz task no longer follows the plan (as after a plan change): the preview names the move.
  sql(`UPDATE onboarding_tasks SET day = day + 1, due_date = due_date + 3 WHERE cohort_id = '${id}' AND kind = 'quiz'`);
  const plan = page.getByRole("region", { name: "Changed onboarding plans" });
  await plan.getByRole("button", { name: "Preview plan changes" }).click();
  await expect(plan).toContainText("1 change for 1 member");
  const changes = plan.getByRole("list", { name: "Changes to apply" });
  await expect(changes).toContainText("Cal Endar");
  await expect(changes).toContainText(/Moved Pass .+ from .+ \(day 12\) to .+ \(day 11\)/);
  await expectNoSeriousA11yViolations(page, "plan changes preview at 1280 px");
  await plan.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-cohort-plan-preview");
  await page.setViewportSize({ width: 390, height: 844 });
  // The charts follow the new width once their resize observer fires.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { message: "sideways scroll at 390 px" }).toBeLessThanOrEqual(0);
  expect(await overflowing(page)).toBe("");
  await expectNoSeriousA11yViolations(page, "plan changes preview at 390 px");
  const body = await plan.screenshot({ path: "screenshots/trainer-cohort-plan-preview-390.png" });
  await testInfo.attach("trainer-cohort-plan-preview (390 px)", { body, contentType: "image/png" });
  await page.setViewportSize({ width: 1280, height: 800 });

  await plan.getByRole("button", { name: "Apply 1 change" }).click();
  await expect(plan.getByRole("status")).toHaveText("Applied 1 change for 1 member.");
  await expect(plan).toContainText("Every member's tasks follow the programs' current plans.");
});
