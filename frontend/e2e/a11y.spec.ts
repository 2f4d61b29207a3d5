import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, type Role } from "./fixtures";
import { token } from "./training";

// Every page of every staff role passes an axe-core scan (WCAG 2.1 A and AA) with no serious or critical
// violation, on a laptop and on a phone. The agent's pages are scanned in phone.spec.ts as they are walked.
// Detail pages are reached by following the first link of their list, over the demo center's data.

/** A page: a path, or the first link matching `link` on the page at `from` (after following `via` there). */
type Visit = { name: string; path: string } | { name: string; from: string; via?: string; link: string };

const PAGES: Record<Exclude<Role, "agent">, Visit[]> = {
  trainer: [
    { name: "home", path: "/" },
    { name: "library", path: "/library" },
    { name: "library program", from: "/library", link: 'a[href^="/library/programs/"]' },
    { name: "question banks", path: "/banks" },
    { name: "module editor", from: "/library", via: 'a[href^="/library/programs/"]', link: 'a[href^="/library/modules/"]' },
    { name: "quiz analysis", from: "/library", via: 'a[href^="/library/programs/"]', link: 'a[href^="/library/quizzes/"]' },
    { name: "quiz attempts", from: "/library", via: 'a[href^="/library/programs/"]', link: 'a[href^="/library/quizzes/"][href*="/attempts"]' },
    { name: "competency analysis", from: "/library", via: 'a[href^="/library/programs/"]', link: 'a[href^="/library/roleplays/"]' },
    { name: "cohorts", path: "/cohorts" },
    { name: "cohort", from: "/cohorts", link: 'main a[href^="/cohorts/"]' },
    { name: "rosters", path: "/rosters" },
    { name: "notifications", path: "/notifications" },
    { name: "account", path: "/account" },
  ],
  supervisor: [
    { name: "home", path: "/" },
    { name: "reviews", path: "/reviews" },
    { name: "review", from: "/reviews", link: 'main a[href^="/reviews/"]' },
    { name: "agent page", from: "/reviews", via: 'main a[href^="/reviews/"]', link: 'main a[href^="/admin/users/"]' },
    { name: "cohorts", path: "/cohorts" },
    { name: "cohort", from: "/cohorts", link: 'main a[href^="/cohorts/"]' },
    { name: "rosters", path: "/rosters" },
    { name: "notifications", path: "/notifications" },
    { name: "account", path: "/account" },
  ],
  compliance: [
    { name: "home", path: "/" },
    { name: "license queue", path: "/compliance/licenses?tab=queue" },
    { name: "licenses expiring", path: "/compliance/licenses?tab=expiring" },
    { name: "license gaps", path: "/compliance/licenses?tab=gaps" },
    { name: "appointments", path: "/compliance/appointments" },
    { name: "appointment gaps", path: "/compliance/appointments?tab=gaps" },
    { name: "appointment terminations", path: "/compliance/appointments?tab=terminations" },
    { name: "continuing education", path: "/compliance/ce" },
    { name: "users", path: "/admin/users" },
    { name: "user", from: "/admin/users", link: 'main a[href^="/admin/users/"]' },
    { name: "audit log", path: "/audit" },
    { name: "reviews", path: "/reviews" },
    { name: "review", from: "/reviews", link: 'main a[href^="/reviews/"]' },
    { name: "cohorts", path: "/cohorts" },
    { name: "rosters", path: "/rosters" },
    { name: "licenses", path: "/licenses" },
    { name: "account", path: "/account" },
  ],
  admin: [
    { name: "home", path: "/" },
    { name: "users", path: "/admin/users" },
    { name: "user", from: "/admin/users", link: 'main a[href^="/admin/users/"]' },
    { name: "clients", path: "/admin/clients" },
    { name: "library files", path: "/admin/library" },
    { name: "api keys", path: "/admin/api-keys" },
    { name: "webhooks", path: "/admin/webhooks" },
    { name: "webhook", from: "/admin/webhooks", link: 'main a[href^="/admin/webhooks/"]' },
    { name: "audit log", path: "/audit" },
    { name: "library", path: "/library" },
    { name: "cohorts", path: "/cohorts" },
    { name: "rosters", path: "/rosters" },
    { name: "compliance licenses", path: "/compliance/licenses" },
    { name: "compliance appointments", path: "/compliance/appointments" },
    { name: "continuing education", path: "/compliance/ce" },
    { name: "account", path: "/account" },
  ],
};

/** Waits until the page has its heading and nothing says it is still loading. */
async function settled(page: Page) {
  await expect(page.locator("main#main h1").first()).toBeVisible();
  await expect(page.locator('main [role="status"].loading')).toHaveCount(0);
}

test("the sign-in page passes axe, empty and with its errors", async ({ page }) => {
  await page.goto("/login");
  await expectNoSeriousA11yViolations(page, "sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your email address.")).toBeVisible();
  await expectNoSeriousA11yViolations(page, "sign-in with errors");
});

for (const role of Object.keys(PAGES) as (keyof typeof PAGES)[]) {
  test(`every page of the ${role} passes axe on a laptop and a phone`, async ({ page, request }) => {
    test.setTimeout(150_000);
    if (role === "admin") {
      // A webhook to open (the demo center has none), paused: nothing listens at its address.
      const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
      const r = await request.post("/api/v1/webhooks", { headers: admin, data: { url: "http://127.0.0.1:9/a11y-hook", event_types: ["eligibility.changed"], description: "axe scan", active: false } });
      expect(r.status(), await r.text()).toBe(201);
    }
    await signIn(page, role);
    for (const v of PAGES[role]) {
      if ("path" in v) {
        await page.goto(v.path);
      } else {
        await page.goto(v.from);
        if (v.via) await page.locator(v.via).first().click();
        const link = page.locator(v.link).first();
        await expect(link, `${role}: a link to the ${v.name} on ${v.from}`).toBeVisible();
        await link.click();
      }
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        await settled(page);
        await expectNoSeriousA11yViolations(page, `${role} ${v.name} at ${width} px`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
}
