import { expect, test, type APIRequestContext } from "@playwright/test";
import { unique } from "./fixtures";
import { signInAs, snap } from "./staff";
import { token } from "./training";

// Reminders a new hire gets from the real reminder job (every 2 s in the e2e
// server, REMINDER_INTERVAL), each followed to the page where the task is
// done. Two new agents join Cinder Valley Electric's outages line today:
// Noor in a cohort that counts due dates from each member's join date (day 2
// is due tomorrow: one "Due tomorrow" notice for that module), Omar in one
// that started two weeks ago and counts from its start (its backlog is ONE
// digest notice, not one per task).
const PASSWORD = "saffron-harbor-kettle-e2e";
const PROGRAM = "Outages, voice and SMS";

interface Notice { title: string; body: string; link: string; kind: string; due_date?: string }

async function newAgent(request: APIRequestContext, name: string) {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const email = `${name.toLowerCase()}.${unique()}@e2e.test`;
  // An agent of the outages line's client: its trainer enrolls only those.
  const { clients } = await (await request.get("/api/v1/clients", { headers: admin })).json();
  const cinder = (clients as { id: string; slug: string }[]).find((c) => c.slug === "cinder-valley-electric")!;
  const r = await request.post("/api/v1/users", {
    headers: admin,
    data: { email, display_name: name, role: "agent", password: PASSWORD, client_ids: [cinder.id] },
  });
  if (r.status() !== 201) throw new Error(`create ${email}: ${r.status()} ${await r.text()}`);
  return { id: (await r.json()).id as string, email };
}

async function cohortWith(request: APIRequestContext, agentID: string, start: string, dueFrom: "join_date" | "cohort_start") {
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const me = await (await request.get("/api/v1/me", { headers: trainer })).json();
  const { programs } = await (await request.get("/api/v1/programs", { headers: trainer })).json();
  const outages = (programs as { id: string; slug: string }[]).find((p) => p.slug === "outages")!;
  const name = `Reminders ${dueFrom} ${unique()}`;
  const c = await request.post("/api/v1/cohorts", {
    headers: trainer,
    data: { name, start_date: start, trainer_id: me.id, program_ids: [outages.id], skip_weekends: false, due_from: dueFrom },
  });
  if (c.status() !== 201) throw new Error(`create cohort: ${c.status()} ${await c.text()}`);
  const id = (await c.json()).id as string;
  const m = await request.post(`/api/v1/cohorts/${id}/members`, { headers: trainer, data: { user_id: agentID } });
  if (m.status() !== 201) throw new Error(`add member: ${m.status()} ${await m.text()}`);
  return { name, programID: outages.id };
}

async function noticesOf(request: APIRequestContext, email: string): Promise<Notice[]> {
  const login = await request.post("/api/v1/auth/login", { data: { email, password: PASSWORD, refresh_token_delivery: "body" } });
  const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
  return (await (await request.get("/api/v1/me/notifications?limit=100", { headers })).json()).notifications;
}

const today = () => new Date().toISOString().slice(0, 10);

test("a 'due tomorrow' reminder names the module, shows one due day and leads to the module", async ({ page, request }, testInfo) => {
  const noor = await newAgent(request, "Noor");
  const { programID } = await cohortWith(request, noor.id, today(), "join_date");

  let notices: Notice[] = [];
  await expect.poll(async () => (notices = await noticesOf(request, noor.email)).length, { timeout: 20_000 }).toBeGreaterThan(0);
  expect(notices).toHaveLength(1);
  const n = notices[0];
  // Named by the module's title, never a slug.
  expect(n.title).toMatch(/^Due tomorrow: Read [A-Z]/);
  expect(n.title).not.toMatch(/account-verification|core\//);
  expect(n.link).toMatch(new RegExp(`^/training/${programID}/modules/[0-9a-f-]{36}$`));
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  expect(n.due_date).toBe(tomorrow);
  const moduleTitle = n.title.replace("Due tomorrow: Read ", "");

  await signInAs(page, noor.email, PASSWORD, "/notifications");
  const list = page.getByRole("list", { name: "Notifications, newest first" });
  const item = list.getByRole("listitem").filter({ hasText: n.title });
  // One due day, the same in the text and in the date shown.
  const shown = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${tomorrow}T00:00:00Z`));
  await expect(item).toContainText(`due ${shown}`);
  await snap(page, testInfo, "agent-reminder-due-tomorrow");
  await item.getByRole("link", { name: n.title }).click();

  await expect(page).toHaveURL(new RegExp(`${n.link}$`));
  await expect(page.getByRole("heading", { name: "Page not found" })).toHaveCount(0);
  await expect(page.getByRole("article", { name: moduleTitle })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Mark version \d+ complete$/ })).toBeVisible();

  // The program page says why its quiz is locked and what opens it.
  await page.goto(`/training/${programID}`);
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
  const quiz = page.locator("article.item-card").filter({ has: page.getByText(/This quiz opens once you have completed/) });
  await expect(quiz).toContainText("Locked");
  await expect(quiz.getByRole("link", { name: moduleTitle })).toBeVisible();
  await expect(quiz.getByRole("button", { name: /Start quiz/ })).toHaveCount(0);
  await snap(page, testInfo, "agent-quiz-locked");
});

test("joining a cohort two weeks late brings one digest of the overdue tasks, leading to the plan", async ({ page, request }, testInfo) => {
  const omar = await newAgent(request, "Omar");
  const start = new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10);
  const { name } = await cohortWith(request, omar.id, start, "cohort_start");

  let notices: Notice[] = [];
  await expect.poll(async () => (notices = await noticesOf(request, omar.email)).length, { timeout: 20_000 }).toBeGreaterThan(0);
  // Every task of the nine-day plan is past due: one notice says so.
  const overdue = notices.filter((x) => x.kind === "task_overdue");
  expect(overdue).toHaveLength(1);
  expect(overdue[0].title).toBe("11 onboarding tasks are overdue");
  expect(overdue[0].link).toBe("/training");
  expect(overdue[0].body).toContain("- Read ");
  expect(overdue[0].body).not.toMatch(/core\/|outages-certification|no-restore-time/);

  await signInAs(page, omar.email, PASSWORD, "/notifications");
  await page.getByRole("link", { name: overdue[0].title }).click();
  await expect(page).toHaveURL(/\/training$/);
  await expect(page.getByRole("heading", { name: "Page not found" })).toHaveCount(0);
  const plan = page.getByRole("region", { name: `Onboarding: ${name}` });
  await expect(plan).toContainText("Behind: 11 overdue");
  await snap(page, testInfo, "agent-reminder-digest");
});
