import { expect, test, type APIRequestContext } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { snap } from "./staff";
import { token } from "./training";

// A trainer enrolls two new agents of Cinder Valley Electric in its outages line from the program's page, is
// not offered another client's agent, sees them in training and withdraws one after confirming.
const PROGRAM = "Outages, voice and SMS";

async function agentOf(request: APIRequestContext, clientSlug: string, name: string) {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const { clients } = await (await request.get("/api/v1/clients", { headers: admin })).json();
  const client = (clients as { id: string; slug: string }[]).find((c) => c.slug === clientSlug)!;
  const email = `${name.split(" ")[0].toLowerCase()}.${unique()}@e2e.test`;
  const r = await request.post("/api/v1/users", {
    headers: admin,
    data: { email, display_name: name, role: "agent", password: "saffron-harbor-kettle-e2e", client_ids: [client.id] },
  });
  if (r.status() !== 201) throw new Error(`create ${email}: ${r.status()} ${await r.text()}`);
  return { id: (await r.json()).id as string, email, label: `${name} <${email}>` };
}

test("a trainer enrolls several of the client's agents in a program and withdraws one", async ({ page, request }, testInfo) => {
  const tag = unique();
  const ines = await agentOf(request, "cinder-valley-electric", `Ines Enroll ${tag}`);
  const jon = await agentOf(request, "cinder-valley-electric", `Jon Enroll ${tag}`);
  const outsider = await agentOf(request, "fenmore-bank", `Kai Outsider ${tag}`);

  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await expect(page.getByRole("heading", { name: PROGRAM, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Enroll agents…" }).click();
  const dialog = page.getByRole("dialog", { name: `Enroll agents in ${PROGRAM}` });
  await expect(dialog.getByRole("checkbox", { name: ines.label })).toBeVisible();
  // Another client's agent is not offered.
  await expect(dialog.getByText(outsider.email)).toHaveCount(0);
  await dialog.getByRole("checkbox", { name: ines.label }).check();
  await dialog.getByRole("checkbox", { name: jon.label }).check();
  await expectNoSeriousA11yViolations(page, "enroll dialog");
  await snap(page, testInfo, "trainer-enroll-dialog");
  await dialog.getByRole("button", { name: "Enroll 2 agents" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: `Enrolled 2 agents in ${PROGRAM}.` })).toBeVisible();

  const table = page.getByRole("table", { name: `Agents enrolled in ${PROGRAM}, with their certification state` });
  const inesRow = table.getByRole("row").filter({ hasText: ines.email });
  await expect(inesRow).toContainText("In training");
  await expect(table.getByRole("row").filter({ hasText: jon.email })).toContainText("In training");
  await expectNoSeriousA11yViolations(page, "program with enrollments");
  await inesRow.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-program-enrollments");

  // Withdraw asks first; cancelling keeps the enrollment.
  await inesRow.getByRole("button", { name: `Withdraw ${ines.label}` }).click();
  const confirm = page.getByRole("dialog", { name: "Withdraw this agent?" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(inesRow).toHaveCount(1);
  await inesRow.getByRole("button", { name: `Withdraw ${ines.label}` }).click();
  await confirm.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Withdrew ${ines.label} from ${PROGRAM}.` })).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: ines.email })).toHaveCount(0);

  // Jon's name opens his page: the trainer sees his programs there, withdraws him and enrolls him again.
  await table.getByRole("link", { name: jon.label }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Jon Enroll ${tag}` })).toBeVisible();
  await expect(page.getByRole("link", { name: "← Users" })).toHaveCount(0);
  const mine = page.locator("section.panel").filter({ has: page.getByRole("heading", { name: "Programs" }) });
  await expect(mine.getByRole("listitem").filter({ hasText: PROGRAM })).toContainText("In training");
  await expectNoSeriousA11yViolations(page, "agent's page for a trainer");
  await mine.getByRole("button", { name: `Withdraw from ${PROGRAM}` }).click();
  await page.getByRole("dialog", { name: "Withdraw this agent?" }).getByRole("button", { name: "Withdraw" }).click();
  await expect(mine.getByRole("status").filter({ hasText: `Withdrew ${jon.label} from ${PROGRAM}.` })).toBeVisible();
  await expect(mine.getByText("Not enrolled in any program.")).toBeVisible();
  await mine.getByRole("group", { name: "Enroll in (programs of the agent's clients)" }).getByRole("checkbox", { name: PROGRAM }).check();
  await mine.getByRole("button", { name: "Enroll" }).click();
  await expect(mine.getByRole("status").filter({ hasText: "Enrolled in 1 program." })).toBeVisible();
  await expect(mine.getByRole("listitem").filter({ hasText: PROGRAM })).toContainText("In training");
  await snap(page, testInfo, "trainer-agent-page");
  await page.goBack();
  await expect(page.getByRole("heading", { name: PROGRAM, level: 1 })).toBeVisible();

  // The API refuses the outsider as well: the page is not the only guard.
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const programs = (await (await request.get("/api/v1/programs", { headers: trainer })).json()).programs as { id: string; name: string }[];
  const outages = programs.find((p) => p.name === PROGRAM)!;
  const refused = await request.post(`/api/v1/programs/${outages.id}/enrollments`, { headers: trainer, data: { user_id: outsider.id } });
  expect(refused.status()).toBe(400);

  // On a phone the table scrolls inside its region and the page does not.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(table.getByRole("row").filter({ hasText: jon.email })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("heading", { name: "Enrolled agents" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "screenshots/trainer-program-enrollments-390.png" });
});

test("an admin enrolls an agent from the agent's page in programs of the agent's clients", async ({ page, request }, testInfo) => {
  const lea = await agentOf(request, "cinder-valley-electric", `Lea Userpage ${unique()}`);
  await signIn(page, "admin", `/admin/users/${lea.id}`);
  const programs = page.locator("section.panel").filter({ has: page.getByRole("heading", { name: "Programs" }) });
  await expect(programs.getByText("Not enrolled in any program.")).toBeVisible();
  // Only the agent's client's programs are offered.
  const offered = programs.getByRole("group", { name: "Enroll in (programs of the agent's clients)" });
  await expect(offered.getByRole("checkbox", { name: PROGRAM })).toBeVisible();
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const all = (await (await request.get("/api/v1/programs", { headers: admin })).json()).programs as { name: string; client_id: string }[];
  const cinder = all.find((p) => p.name === PROGRAM)!.client_id;
  const labels = (await offered.getByRole("checkbox").evaluateAll((els) => els.map((e) => e.closest("label")!.textContent!.trim()))).sort();
  expect(labels).toEqual(all.filter((p) => p.client_id === cinder).map((p) => p.name).sort());
  expect(all.some((p) => p.client_id !== cinder)).toBe(true);
  await offered.getByRole("checkbox", { name: PROGRAM }).check();
  await programs.getByRole("button", { name: "Enroll" }).click();
  await expect(programs.getByRole("status").filter({ hasText: "Enrolled in 1 program." })).toBeVisible();
  await expect(programs.getByRole("listitem").filter({ hasText: PROGRAM })).toContainText("In training");
  await expectNoSeriousA11yViolations(page, "user page with programs");
  await programs.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "admin-user-programs");
  await page.setViewportSize({ width: 390, height: 844 });
  await programs.scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "screenshots/admin-user-programs-390.png" });
});

// Enrolling several is one request, all or none: an agent enrolled by someone else meanwhile refuses the
// batch, named at their checkbox, and nobody is enrolled; without them, the rest are.
test("a bulk enrollment refused for one agent enrolls nobody and names that agent", async ({ page, request }) => {
  const tag = unique();
  const lou = await agentOf(request, "cinder-valley-electric", `Lou Bulk ${tag}`);
  const max = await agentOf(request, "cinder-valley-electric", `Max Bulk ${tag}`);
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("button", { name: "Enroll agents…" }).click();
  const dialog = page.getByRole("dialog", { name: `Enroll agents in ${PROGRAM}` });
  await dialog.getByRole("checkbox", { name: lou.label }).check();
  await dialog.getByRole("checkbox", { name: max.label }).check();
  // Meanwhile, someone enrolls Max.
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const { programs } = await (await request.get("/api/v1/programs", { headers: trainer })).json();
  const outages = (programs as { id: string; name: string }[]).find((p) => p.name === PROGRAM)!;
  const r = await request.post(`/api/v1/programs/${outages.id}/enrollments`, { headers: trainer, data: { user_id: max.id } });
  expect(r.status(), await r.text()).toBe(201);

  await dialog.getByRole("button", { name: "Enroll 2 agents" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Nobody was enrolled");
  await expect(dialog.getByRole("alert")).toContainText(`${max.label}: Max Bulk ${tag} is already enrolled in ${PROGRAM}`);
  await expect(dialog.getByRole("checkbox", { name: new RegExp(`^Max Bulk ${tag}`) })).toHaveAttribute("aria-invalid", "true");
  await expectNoSeriousA11yViolations(page, "refused bulk enrollment");
  const list = await (await request.get(`/api/v1/programs/${outages.id}/enrollments`, { headers: trainer })).json();
  expect((list.enrollments as { user_id: string }[]).some((e) => e.user_id === lou.id)).toBe(false);

  await dialog.getByRole("checkbox", { name: new RegExp(`^Max Bulk ${tag}`) }).uncheck();
  await dialog.getByRole("button", { name: "Enroll 1 agent" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Enrolled 1 agent in ${PROGRAM}.` })).toBeVisible();
});
