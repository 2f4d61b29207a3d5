import { expect, test, type APIRequestContext } from "@playwright/test";
import { signIn } from "./fixtures";
import { snap } from "./staff";
import { enrollAgent, token } from "./training";

// Two real reminders for the demo agent, made by the real server's reminder
// job (every 2 s in the e2e server, REMINDER_INTERVAL): a supervisor sends
// back the agent's role-play run, and compliance verifies a license of the
// agent's that expires in 20 days.
const MEDICAL_REPLY =
  "I'm so sorry, I understand how frightening this is for your dad. I can't promise a time, so please don't wait on us: " +
  "move to a backup plan now, like the cylinders or family with power, and call 911 if his life is ever at risk. " +
  "I'll flag your report as medical and get my team lead to have Community Response call you back.";

let runTitle = "";

async function bearer(request: APIRequestContext, role: "agent" | "supervisor" | "compliance") {
  return { Authorization: `Bearer ${await token(request, role)}` };
}

interface Run { id: string; seq: number; state: string; title: string; current?: { turn_id: string; kind: string; options?: { id: string }[] } }

test.beforeAll(async ({ request }) => {
  const programs = await enrollAgent(request);
  const agent = await bearer(request, "agent");

  // The agent plays the outages role-play on its best path; it waits for a sign-off.
  const { roleplays } = await (await request.get(`/api/v1/programs/${programs["outages"]}/roleplays`, { headers: agent })).json();
  const started = await request.post(`/api/v1/roleplays/${roleplays[0].id}/runs`, { headers: agent });
  if (!started.ok()) throw new Error(`start run: ${started.status()} ${await started.text()}`);
  let run = (await started.json()) as Run;
  for (let turn = 0; turn < 12 && run.state === "in_progress" && run.current; turn++) {
    const c = run.current;
    const data = c.kind === "free_text" ? { seq: run.seq, turn_id: c.turn_id, text: MEDICAL_REPLY } : { seq: run.seq, turn_id: c.turn_id, option_id: c.options![0].id };
    const r = await request.post(`/api/v1/runs/${run.id}/turns`, { headers: agent, data });
    if (!r.ok()) throw new Error(`turn ${turn}: ${r.status()} ${await r.text()}`);
    run = await r.json();
  }
  expect(run.state).toBe("pending_review");
  runTitle = run.title;

  // The supervisor sends it back.
  const back = await request.post(`/api/v1/runs/${run.id}/review`, {
    headers: await bearer(request, "supervisor"), data: { decision: "send_back", note: "Offer the backup plan before anything else." },
  });
  if (!back.ok()) throw new Error(`send back: ${back.status()} ${await back.text()}`);

  // A license expiring in 20 days, verified by compliance.
  const expiry = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const lic = await request.post("/api/v1/licenses", {
    headers: agent,
    data: {
      npn: "18273645", jurisdiction: "TX", license_number: `TX-N${Date.now() % 1e7}`, class: "insurance-producer", lines_of_authority: ["life"],
      resident: true, issue_date: "2025-01-15", effective_date: "2025-01-15", expiry_date: expiry, evidence: "NIPR lookup",
    },
  });
  if (lic.status() !== 201) throw new Error(`submit license: ${lic.status()} ${await lic.text()}`);
  const verified = await request.post(`/api/v1/licenses/${(await lic.json()).id}/verify`, { headers: await bearer(request, "compliance"), data: {} });
  if (!verified.ok()) throw new Error(`verify license: ${verified.status()} ${await verified.text()}`);

  // The reminder job runs every 2 s: wait until both notices are in the inbox.
  await expect.poll(async () => {
    const { notifications } = await (await request.get("/api/v1/me/notifications?unread=true&limit=100", { headers: agent })).json();
    const kinds = (notifications as { kind: string }[]).map((n) => n.kind);
    return kinds.includes("roleplay.sent_back") && kinds.includes("license.expiring");
  }, { timeout: 20_000 }).toBe(true);
});

test("the agent sees the reminders in the inbox; opening one marks it read and follows it; the badge drops", async ({ page }, testInfo) => {
  await signIn(page, "agent", "/");
  const badge = page.getByRole("link", { name: /^Notifications/ });
  await expect(badge).toHaveAccessibleName(/^Notifications \d+ unread$/);
  const unread = Number((await badge.textContent())!.match(/(\d+) unread/)![1]);
  expect(unread).toBeGreaterThanOrEqual(2);

  await badge.click();
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
  const list = page.getByRole("list", { name: "Notifications, newest first" });
  const sentBack = list.getByRole("listitem").filter({ hasText: `Role-play sent back: ${runTitle}` });
  await expect(sentBack).toContainText("Unread");
  await expect(sentBack).toContainText("Offer the backup plan");
  await expect(list.getByRole("listitem").filter({ hasText: "License expiring" }).first()).toContainText("Unread");
  await snap(page, testInfo, "agent-notifications");

  // Opening the notice marks it read and leads to the run.
  await sentBack.getByRole("link", { name: `Role-play sent back: ${runTitle}` }).click();
  await expect(page).toHaveURL(/\/training\/[^/]+\/roleplay\/[^/]+$/);
  await expect(badge).toHaveAccessibleName(unread - 1 === 0 ? "Notifications" : `Notifications ${unread - 1} unread`);

  // Back in the inbox it reads as read; mark all read empties the badge.
  await badge.click();
  await expect(sentBack).toContainText("Read");
  await expect(sentBack.getByRole("button", { name: /^Mark read/ })).toHaveCount(0);
  await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Marked ${unread - 1} notice` })).toBeVisible();
  await expect(badge).toHaveAccessibleName("Notifications");
  await expect(page.getByRole("button", { name: "Mark all read" })).toBeDisabled();
  await page.getByLabel("Show").selectOption({ label: "Unread only" });
  await expect(page.getByText("Nothing unread.", { exact: true }).last()).toBeVisible();
});
