// Helpers for the staff's end-to-end tests: a fresh new hire made through the
// API as an admin would, screenshots of the main pages, and the one shortcut
// through time the tests take (see passTime).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
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
