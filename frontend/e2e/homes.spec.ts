import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique, type Role } from "./fixtures";
import { snap } from "./staff";
import { token } from "./training";

// Each staff role's home leads with what needs attention in the demo center (server/internal/demo), by
// name, and each item's link lands on the page where it is handled. Every home is scanned with axe and
// photographed at 1280 and 390 px, and must not scroll sideways on the phone.

const PHONE = { width: 390, height: 844 };

function sideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function checkBothWidths(page: Page, testInfo: Parameters<typeof snap>[1], role: Role) {
  await expectNoSeriousA11yViolations(page, `${role} home at 1280 px`);
  await snap(page, testInfo, `home-${role}`);
  await page.setViewportSize(PHONE);
  expect(await sideways(page), `${role} home scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
  await expectNoSeriousA11yViolations(page, `${role} home at 390 px`);
  const body = await page.screenshot({ path: `screenshots/home-${role}-390.png`, fullPage: true });
  await testInfo.attach(`home-${role} (390 px)`, { body, contentType: "image/png" });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("the trainer's home names the agents behind in their cohort and the quiz they fail", async ({ page }, testInfo) => {
  await signIn(page, "trainer", "/");
  const behind = page.getByRole("region", { name: /Agents behind schedule or failing quizzes/ });
  await expect(behind).toContainText("Dev Patel");
  await expect(behind).toContainText("tasks overdue");
  await expect(behind).toContainText("Chloe Nguyen");
  await expect(page.getByRole("region", { name: /Quizzes your cohorts pass less than 70%/ })).toContainText("Fenmore card services");
  // Where the demo cohort stands today: on plan day 7 (a weekend says it is not a working day).
  const today = page.getByRole("region", { name: /Your cohorts today/ });
  await expect(today.getByRole("link", { name: "Demo: Fenmore card services new hires" })).toBeVisible();
  await expect(today).toContainText(/Plan day 7 of \d+|Not a working day \(plan day 7 of \d+/);
  await expect(today).toContainText(/\d+ members, \d+ behind/);
  await checkBothWidths(page, testInfo, "trainer");
  await behind.getByRole("link", { name: "Dev Patel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Demo: Fenmore card services new hires/ })).toBeVisible();
});

test("the supervisor's home leads with the run to sign off and the suspended agent", async ({ page }, testInfo) => {
  await signIn(page, "supervisor", "/");
  const reviews = page.getByRole("region", { name: /Role-play runs waiting for your sign-off/ });
  await expect(reviews).toContainText("Lena Ortiz");
  await expect(reviews).toContainText(/waiting \d+ days?/);
  const blocked = page.getByRole("region", { name: /Assigned agents who may not take contacts/ });
  await expect(blocked).toContainText("Sam Okafor");
  await expect(blocked).toContainText("certification expired");
  await checkBothWidths(page, testInfo, "supervisor");
  await blocked.getByRole("link", { name: "Sam Okafor" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Program rosters" })).toBeVisible();
  await expect(page.getByLabel("Program")).toHaveValue(/.+/);
  await expect(page.getByRole("row").filter({ hasText: "Sam Okafor" })).toBeVisible();
  await page.goBack();
  await reviews.getByRole("link", { name: "Lena Ortiz" }).click();
  await expect(page.getByRole("heading", { name: "Transcript" })).toBeVisible();
});

test("the compliance officer's home shows the verification queue and expiring licenses", async ({ page }, testInfo) => {
  await signIn(page, "compliance", "/");
  const queue = page.getByRole("region", { name: /Licenses waiting for verification/ });
  await expect(queue).toContainText("Lena Ortiz");
  const expiring = page.getByRole("region", { name: /Licenses expiring within 90 days/ });
  await expect(expiring).toContainText("Marcus Bell");
  await expect(expiring).toContainText(/within 30 days/);
  await expect(page.getByRole("region", { name: /Certified agents without a license/ })).toContainText("Priya Raman");
  await checkBothWidths(page, testInfo, "compliance");
  await expiring.getByRole("link", { name: "Marcus Bell" }).click();
  await expect(page.getByRole("link", { name: "Expiring", exact: false }).first()).toHaveAttribute("aria-current", "page");
});

test("the admin's home names a user without a client; its link opens the user", async ({ page, request }, testInfo) => {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const name = `Stray Hire ${unique()}`;
  const u = await request.post("/api/v1/users", { headers: admin, data: { email: `stray-${unique()}@demo.skillgate.test`, display_name: name, role: "agent", password: "a-stray-password-2026" } });
  expect(u.status(), await u.text()).toBe(201);
  await signIn(page, "admin", "/");
  const stray = page.getByRole("region", { name: /Agents and client staff who belong to no client/ });
  await expect(stray).toContainText(name);
  await checkBothWidths(page, testInfo, "admin");
  await stray.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
});
