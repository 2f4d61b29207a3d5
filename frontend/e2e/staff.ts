// Helpers for the staff's end-to-end tests: a fresh new hire made through the
// API as an admin would, screenshots of the main pages, and the one shortcut
// through time the tests take (see passTime).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { unique } from "./fixtures";
import { token } from "./training";

const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));

/** Saves a 1280 px screenshot to frontend/screenshots/<name>.png and attaches it to the report. */
export async function snap(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(shots, { recursive: true });
  const body = await page.screenshot({ path: `${shots}${name}.png`, fullPage: false });
  await testInfo.attach(`${name} (1280 px)`, { body, contentType: "image/png" });
}

export interface NewHire {
  id: string;
  email: string;
  password: string;
  programID: string;
}

/** Creates an agent who can sign in, a member of the client, enrolled in one program (by client and program slug). */
export async function newHire(request: APIRequestContext, clientSlug: string, programSlug: string, name = "New Hire"): Promise<NewHire> {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const { clients } = await (await request.get("/api/v1/clients", { headers: admin })).json();
  const client = (clients as { id: string; slug: string }[]).find((c) => c.slug === clientSlug);
  if (!client) throw new Error(`no client ${clientSlug}`);
  const { programs } = await (await request.get(`/api/v1/programs?client_id=${client.id}`, { headers: admin })).json();
  const program = (programs as { id: string; slug: string }[]).find((p) => p.slug === programSlug);
  if (!program) throw new Error(`no program ${programSlug}`);
  const email = `new-hire-${unique()}@demo.skillgate.test`;
  const password = "a-new-hire-password-2026";
  const u = await request.post("/api/v1/users", { headers: admin, data: { email, display_name: name, role: "agent", password, client_ids: [client.id] } });
  if (u.status() !== 201) throw new Error(`create ${email}: ${u.status()} ${await u.text()}`);
  const { id } = await u.json();
  const e = await request.post(`/api/v1/programs/${program.id}/enrollments`, { headers: admin, data: { user_id: id } });
  if (e.status() !== 201) throw new Error(`enroll ${email}: ${e.status()} ${await e.text()}`);
  return { id, email, password, programID: program.id };
}

/** Signs in through the form with any email and password. */
export async function signInAs(page: Page, email: string, password: string, path = "/") {
  await page.goto(path);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/**
 * The demo quizzes make an agent wait a day between attempts, and the server
 * takes its time from its clock. Rather than wait, the test moves the user's
 * finished attempts a day (and a minute) into the past, in the e2e database.
 */
export function passTime(userID: string) {
  const url = readFileSync(fileURLToPath(new URL("./.database-url", import.meta.url)), "utf8").trim();
  const sql = `UPDATE quiz_attempts SET started_at = started_at - interval '1 day 1 minute',
    deadline = deadline - interval '1 day 1 minute', submitted_at = submitted_at - interval '1 day 1 minute'
    WHERE user_id = '${userID.replace(/[^0-9a-f-]/g, "")}' AND submitted_at IS NOT NULL`;
  execFileSync("psql", [url, "-qc", sql]);
}

/**
 * Looks at the page open now as a person would at a laptop and a phone width: an axe scan, no sideways
 * scroll, and a full-page screenshot at 1280 and 390 px (frontend/screenshots/<name>-<width>.png), attached
 * to the report. Leaves the page at 1280 px.
 */
export async function look(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(shots, { recursive: true });
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await expectNoSeriousA11yViolations(page, `${name} at ${width} px`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(over, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    const body = await page.screenshot({ path: `${shots}${name}-${width}.png`, fullPage: true });
    await testInfo.attach(`${name} (${width} px)`, { body, contentType: "image/png" });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
