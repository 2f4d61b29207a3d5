import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { unique } from "./fixtures";
import { token } from "./training";

// Every agent page on a phone (390×844, with 360 and 414 checked too): nothing scrolls sideways, the menu
// holds the navigation, Notifications and Sign out, and tap targets are at least 44 px high. Each page is
// also photographed at 390×844 and 1280×800 into frontend/screenshots/ (git-ignored) for a person to look at,
// and scanned with axe-core at both widths (no serious or critical violation).

const SHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
mkdirSync(SHOTS, { recursive: true });

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
/** The demo center's agents (server/internal/demo) share one public password. */
const DEMO_AGENT_PASSWORD = "agent-demo-skillgate";

async function signInAs(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("main#main h1").first()).toBeVisible();
}

/** How far the page scrolls sideways at the current width (0 when it does not). */
function sideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The innermost elements that stick out past the right edge of the window (to say what overflows). */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 0.5 || r.width === 0) continue;
      if ([...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5)) continue;
      out.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || "").trim().slice(0, 30)}" right=${Math.round(r.right)}`);
    }
    return out.slice(0, 8);
  });
}

/** The visible controls shorter than 44 px (inline links in running text are exempt, as in WCAG 2.5.8). */
function smallTargets(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      "button, select, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea, .topbar a, .menu a, .toc a, label.check, .cards a, a.button",
    );
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      if (el.closest(".sr-only, .skip")) continue;
      if (r.height < 43.5) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40)}" is ${Math.round(r.height)} px high`);
    }
    return out;
  });
}

/**
 * Checks the page open now at phone widths and photographs it at both widths; `ready` is what must be on
 * screen before it counts as loaded.
 */
async function checkPage(page: Page, name: string, ready: () => Promise<void>) {
  for (const width of [360, 414, PHONE.width]) {
    await page.setViewportSize({ width, height: PHONE.height });
    await ready();
    const over = await sideways(page);
    if (over > 0) await page.screenshot({ path: `${SHOTS}${name}-${width}-overflow.png`, fullPage: true });
    expect(over, `${name} scrolls sideways at ${width} px: ${(await overflowing(page)).join("; ")}`).toBeLessThanOrEqual(0);
  }
  expect(await smallTargets(page), `${name}: tap targets under 44 px at 390 px`).toEqual([]);
  await page.screenshot({ path: `${SHOTS}${name}-390.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page, `${name} at 390 px`);
  await page.setViewportSize(LAPTOP);
  await ready();
  await page.screenshot({ path: `${SHOTS}${name}-1280.png`, fullPage: false });
  await expectNoSeriousA11yViolations(page, `${name} at 1280 px`);
  await page.setViewportSize(PHONE);
}

const heading = (page: Page, name: string | RegExp) => async () => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

test.use({ viewport: PHONE });

test("the sign-in page and an agent with nothing assigned fit a phone", async ({ page }) => {
  await page.goto("/login");
  await checkPage(page, "login", heading(page, "Sign in to Skillgate"));

  // An empty form puts focus on the first field that needs fixing.
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Email")).toBeFocused();

  // A new agent, enrolled in nothing (the demo agent may be enrolled by other specs).
  const email = `new-hire-${unique()}@demo.skillgate.test`;
  const password = "phone-spec-password-1";
  const created = await page.request.post("/api/v1/users", {
    headers: { Authorization: `Bearer ${await token(page.request, "admin")}` },
    data: { email, display_name: "New Hire", role: "agent", password },
  });
  expect(created.status(), await created.text()).toBe(201);
  await signInAs(page, email, password);
  await expect(page.getByText("You are not enrolled in any program yet.")).toBeVisible();
  await checkPage(page, "home-not-enrolled", heading(page, /^Welcome/));
});

test("the menu opens on a phone and reaches every page, Notifications and Sign out", async ({ page }) => {
  await signInAs(page, "chloe.nguyen@demo.skillgate.test", DEMO_AGENT_PASSWORD);
  const toggle = page.getByRole("button", { name: "Menu" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of ["Home", "My training", "My certifications", "My licenses", "My account"]) {
    await expect(nav.getByRole("link", { name: label })).toBeVisible();
  }
  await expect(page.getByRole("link", { name: /^Notifications/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  expect(await smallTargets(page)).toEqual([]);
  await page.screenshot({ path: `${SHOTS}menu-open-390.png`, fullPage: false });

  // Escape closes it and gives focus back to the button; a link closes it too.
  await page.keyboard.press("Escape");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(toggle).toBeFocused();
  await toggle.click();
  await nav.getByRole("link", { name: "My training" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My training" })).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");

  // On a laptop the navigation is a bar again, with no menu button.
  await page.setViewportSize(LAPTOP);
  await expect(toggle).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My licenses" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("every agent page of a new hire who is behind fits a phone", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "chloe.nguyen@demo.skillgate.test", DEMO_AGENT_PASSWORD);
  // Home leads with the next task.
  const next = page.getByRole("region", { name: "Your next task" });
  await expect(next.getByRole("link").first()).toBeVisible();
  await checkPage(page, "home", heading(page, /^Welcome/));

  await page.goto("/training");
  await checkPage(page, "training", async () => {
    await heading(page, "My training")();
    await expect(page.getByRole("progressbar").first()).toBeVisible();
  });

  await page.locator(".program-card h2 a").first().click();
  await checkPage(page, "program", async () => {
    await expect(page.getByRole("heading", { name: "Your plan" })).toBeVisible();
  });
  const programPath = new URL(page.url()).pathname;

  // The module reader: one column, the contents behind a button.
  await page.locator("table.plan a").first().click();
  const contents = page.getByRole("button", { name: /^Contents/ });
  await checkPage(page, "module", async () => {
    await expect(page.locator(".module-body h1, .module-body h2").first()).toBeVisible();
  });
  await contents.click();
  await expect(contents).toHaveAttribute("aria-expanded", "true");
  const toc = page.getByRole("navigation", { name: "Contents of this module" });
  await expect(toc.getByRole("link").first()).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}module-contents-390.png`, fullPage: false });
  const target = toc.getByRole("link").nth(1);
  const section = (await target.textContent())!;
  await target.click();
  await expect(contents).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("heading", { name: section, exact: true })).toBeFocused();
  // The text column is the width of the phone less the page's padding.
  const textWidth = await page.locator(".module-body").evaluate((el) => el.getBoundingClientRect().width);
  expect(textWidth).toBeGreaterThan(330);

  // A quiz, then its result (every question left unanswered: it fails).
  await page.goto(programPath);
  await page.getByRole("button", { name: /^(Start|Resume) quiz$/ }).first().click();
  await checkPage(page, "quiz", async () => {
    await expect(page.getByText(/of \d+ answered/)).toBeVisible();
  });
  await page.getByRole("button", { name: "Submit answers" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Submit/ }).click();
  await checkPage(page, "quiz-result", async () => {
    await expect(page.locator(".score .big")).toHaveText(/^\d+%$/);
  });

  // A role-play played badly: the last option each turn, a reply that does nothing asked.
  await page.goto(programPath);
  await page.getByRole("button", { name: /^(Start|Resume) role-play$/ }).first().click();
  await checkPage(page, "roleplay", async () => {
    await expect(page.getByRole("group", { name: "Your reply — choose one:" }).or(page.getByLabel("Your reply, in your own words"))).toBeVisible();
  });
  // What is on the agent's screen is folded above the chat on a phone and open beside it on a laptop.
  const facts = page.getByRole("complementary", { name: "On your screen" }).locator("dl");
  await expect(facts).toBeHidden();
  await page.setViewportSize(LAPTOP);
  await expect(facts).toBeVisible();
  await page.setViewportSize(PHONE);
  await expect(facts).toBeHidden();
  await page.getByText("On your screen").click();
  await expect(facts).toBeVisible();
  for (let turn = 0; turn < 15; turn++) {
    const text = page.getByLabel("Your reply, in your own words");
    const choices = page.getByRole("group", { name: "Your reply — choose one:" }).getByRole("button");
    await expect(text.or(choices.first())).toBeVisible();
    const answered = page.waitForResponse((r) => r.url().endsWith("/turns") && r.request().method() === "POST");
    if (await text.isVisible()) {
      await text.fill("Okay.");
      await page.getByRole("button", { name: "Send reply" }).click();
    } else {
      await choices.last().click();
    }
    if ((await (await answered).json()).state !== "in_progress") break;
  }
  await expect(page.getByRole("heading", { name: /^Result: ✗ Not passed/ })).toBeVisible();
  await checkPage(page, "roleplay-result", async () => {
    await expect(page.getByRole("table", { name: "Competency scores" })).toBeVisible();
  });

  for (const [path, name, title] of [
    ["/certifications", "certifications", "My certifications"],
    ["/licenses", "licenses", "My licenses"],
    ["/notifications", "notifications", "Notifications"],
    ["/account", "account", "My account"],
  ] as const) {
    await page.goto(path);
    await checkPage(page, name, heading(page, title));
  }
});

test("a tenured agent's certifications, licenses and home fit a phone", async ({ page }) => {
  await signInAs(page, "marcus.bell@demo.skillgate.test", DEMO_AGENT_PASSWORD);
  await checkPage(page, "home-tenured", heading(page, /^Welcome/));
  await page.goto("/certifications");
  await checkPage(page, "certifications-tenured", async () => {
    await heading(page, "My certifications")();
    await expect(page.getByText(/Certified|Refresher due/).first()).toBeVisible();
  });
  await page.goto("/licenses");
  await checkPage(page, "licenses-tenured", async () => {
    await expect(page.getByRole("cell", { name: "TX-2291847" }).or(page.getByText("TX-2291847")).first()).toBeVisible();
  });
});
