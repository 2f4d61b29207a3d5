import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { newHire, snap } from "./staff";
import { token } from "./training";

// The cohort page shows the whole cohort on one screen: a heat map of members × tasks that fits 1280 px for a
// cohort of two programs (27 tasks) without scrolling sideways, sortable and filterable; charts of the plan's
// days and the quizzes with their numbers as tables; and on a phone, a list of members instead.

function sideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

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

/** A weekday about two working weeks back, so the first plan days are past. */
function twoWeeksAgo(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - 14);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

test("the cohort heat map fits 27 tasks at 1280 px, sorts and filters; a phone gets a list", async ({ page, request }, testInfo) => {
  const ava = await newHire(request, "fenmore-bank", "card-services", "Ava Heat");
  const ben = await newHire(request, "fenmore-bank", "card-services", "Ben Heat");
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const me = await (await request.get("/api/v1/me", { headers: trainer })).json();
  const { clients } = await (await request.get("/api/v1/clients", { headers: trainer })).json();
  const fenmore = (clients as { id: string; slug: string }[]).find((c) => c.slug === "fenmore-bank")!;
  const { programs } = await (await request.get(`/api/v1/programs?client_id=${fenmore.id}`, { headers: trainer })).json();
  const ids = (programs as { id: string; slug: string }[]).filter((p) => ["card-services", "fraud-disputes"].includes(p.slug)).map((p) => p.id);
  expect(ids).toHaveLength(2);
  const name = `Heat ${unique()}`;
  const c = await request.post("/api/v1/cohorts", {
    headers: trainer, data: { name, start_date: twoWeeksAgo(), trainer_id: me.id, program_ids: ids, due_from: "cohort_start" },
  });
  expect(c.status(), await c.text()).toBe(201);
  const id = (await c.json()).id as string;
  for (const h of [ava, ben]) {
    const m = await request.post(`/api/v1/cohorts/${id}/members`, { headers: trainer, data: { user_id: h.id } });
    expect(m.status(), await m.text()).toBe(201);
  }

  await signIn(page, "trainer", `/cohorts/${id}`);
  const map = page.getByRole("table", { name: new RegExp(`^Progress of ${name}`) });
  await expect(map).toBeVisible();
  const tasks = map.locator("thead th[scope=col].heat-col");
  expect(await tasks.count()).toBeGreaterThanOrEqual(20);
  await expect(map.getByRole("columnheader", { name: "Day 1" }).first()).toBeVisible();
  // Every task column is on screen: no sideways scroll of the page or of the map.
  expect(await sideways(page), await overflowing(page)).toBeLessThanOrEqual(0);
  const fits = await map.evaluate((t) => t.getBoundingClientRect().right <= (t.parentElement as HTMLElement).getBoundingClientRect().right + 0.5);
  expect(fits, "the heat map is wider than its place at 1280 px").toBe(true);
  await expect(tasks.last()).toBeInViewport();
  // Each cell names its status in words, with the task on hover.
  const ava1 = map.getByRole("row").filter({ hasText: "Ava Heat" });
  await expect(ava1.locator("td.cell-overdue").first()).toContainText("Overdue");
  await expect(ava1.locator("td.heat-cell").first()).toHaveAttribute("title", /^Ava Heat — Read /);

  await page.getByRole("heading", { name: "Progress heat map" }).scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-cohort-heatmap");
  await page.getByLabel("Sort members by").selectOption({ label: "Name" });
  await expect(map.getByRole("rowheader").first()).toContainText("Ava Heat");
  await page.getByLabel("Show").selectOption({ label: "On track" });
  await expect(page.getByText("0 of 2 members shown.")).toBeVisible();
  await page.getByLabel("Show").selectOption({ label: "Everyone" });

  await expect(page.getByRole("figure", { name: /The plan, day by day/ })).toBeVisible();
  await expect(page.locator("figure.chart svg").first()).toBeVisible();
  await page.getByText("The plan day by day as a table").click();
  await expect(page.getByRole("table", { name: "Members' tasks per plan day, by status" })).toContainText("Day 1");
  await expectNoSeriousA11yViolations(page, "cohort heat map at 1280 px");
  await snap(page, testInfo, "trainer-cohort-charts");

  await page.setViewportSize({ width: 390, height: 844 });
  const list = page.getByRole("list", { name: `Progress of ${name}, member by member` });
  await expect(list).toBeVisible();
  await expect(list).toContainText("Ava Heat");
  await expect(list).toContainText("Overdue: Read");
  await expect(map).toBeHidden();
  await expect.poll(() => sideways(page), { message: "the cohort page scrolls sideways at 390 px" }).toBeLessThanOrEqual(0);
  expect(await overflowing(page)).toBe("");
  await expectNoSeriousA11yViolations(page, "cohort heat map at 390 px");
  const body = await page.screenshot({ path: "screenshots/trainer-cohort-heatmap-390.png", fullPage: true });
  await testInfo.attach("trainer-cohort-heatmap (390 px)", { body, contentType: "image/png" });
});
