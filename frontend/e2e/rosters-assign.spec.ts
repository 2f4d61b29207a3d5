import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { snap } from "./staff";
import { token } from "./training";

// From a program's roster, a supervisor sees the client's agents not on its queue with their enrollment and
// what would still stop them once assigned; enrolls a new agent there, and an assignment the gate refuses says
// why in words.
const PROGRAM = "Outages, voice and SMS";

test("a supervisor enrolls an agent from the roster, and a refused assignment says why", async ({ page, request }, testInfo) => {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const { clients } = await (await request.get("/api/v1/clients", { headers: admin })).json();
  const cve = (clients as { id: string; slug: string }[]).find((c) => c.slug === "cinder-valley-electric")!;
  const name = `Noa Queue ${unique()}`;
  const u = await request.post("/api/v1/users", {
    headers: admin, data: { email: `noa.${unique()}@e2e.test`, display_name: name, role: "agent", password: "saffron-harbor-kettle-e2e", client_ids: [cve.id] },
  });
  expect(u.status(), await u.text()).toBe(201);

  await signIn(page, "supervisor", "/rosters");
  await page.getByLabel("Program").selectOption({ label: PROGRAM });
  const section = page.getByRole("region", { name: "Not on this queue" });
  const noa = section.getByRole("checkbox", { name: new RegExp(`^${name}`) });
  await expect(noa).toBeVisible();
  await expect(section.locator(".candidate").filter({ hasText: name })).toContainText("Not enrolled");
  await noa.check();
  await expectNoSeriousA11yViolations(page, "roster candidates at 1280 px");
  await section.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "supervisor-roster-candidates");

  await section.getByRole("button", { name: "Enroll 1 in the program" }).click();
  await expect(section.getByRole("status")).toHaveText("Enrolled 1 agent; assign them once they may take contacts.");
  await expect(section.locator(".candidate").filter({ hasText: name })).toContainText("In training · once assigned, still not: the agent has not been certified");

  await noa.check();
  await section.getByRole("button", { name: "Assign 1 to the queue" }).click();
  await expect(section.getByRole("status")).toHaveText("Nobody was assigned: 1 refused (said at each).");
  await expect(section.locator(".candidate").filter({ hasText: name })).toContainText("Refused: the agent has not been certified for this program");
  await expect(noa).toHaveAttribute("aria-invalid", "true");

  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await expectNoSeriousA11yViolations(page, "roster candidates at 390 px");
  const body = await section.screenshot({ path: "screenshots/supervisor-roster-candidates-390.png" });
  await testInfo.attach("supervisor-roster-candidates (390 px)", { body, contentType: "image/png" });
});
