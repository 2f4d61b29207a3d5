import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { look, newHire, signInAs } from "./staff";
import { token } from "./training";

const PROGRAM = "Outages, voice and SMS";

/** A three-turn scenario: the best path is A, A, A. */
function scenario(title: string) {
  return `title: ${title}
summary: A customer whose power has been out since last night wants a time.
persona:
  name: Ray Okafor
  situation: Power out since 9 pm yesterday; a freezer full of food.
  mood: frustrated
facts:
  Outage: Feeder 12, crew on site
  Estimated restoration: 4 pm today
competencies:
  empathy: 50
  accuracy: 50
pass:
  overall: 70
  outcomes: [resolved]
attempts_allowed: 0
start: opening
turns:
  - id: opening
    customer: My power's been out since last night. When is it coming back?
    agent:
      choice:
        - text: I'm sorry, that's a long time without power. Let me look at your area right now.
          points: {empathy: 2}
          mood: +1
          next: explain
        - text: Outages take as long as they take.
          points: {empathy: -2}
          mood: -1
          next: explain
  - id: explain
    customer: So what's going on?
    agent:
      choice:
        - text: A crew is on site at feeder 12; the estimate is 4 pm today.
          points: {accuracy: 2}
          next: close
        - text: Probably tonight.
          points: {accuracy: -1}
          next: close
          feedback: Give the estimate on screen, not a guess.
  - id: close
    customer: Fine. Anything else I should know?
    agent:
      choice:
        - text: If it's not back by 4 pm, call us and we'll check on the crew for you.
          points: {empathy: 1, accuracy: 1}
          next: resolved
        - text: No.
          next: lost
endings:
  - id: resolved
    outcome: resolved
    customer: Thanks, that helps.
    debrief:
      passed: You owned the wait and gave the real estimate.
      failed: The call ended well, but the run did not pass.
  - id: lost
    outcome: lost
    debrief: He was left without a plan.
`;
}

test("a trainer writes a three-turn role-play, sees its graph, plays it now and publishes it; an agent plays it", async ({ page, request }, testInfo) => {
  const title = `Power out overnight ${unique()}`;
  const slug = `power-out-${unique()}`;
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByLabel("New role-play's slug").fill(slug);
  await page.getByRole("button", { name: "New role-play" }).click();
  await expect(page.getByRole("heading", { name: /^Role-play:/ })).toBeVisible();

  // The whole file in the YAML view; the forms read it back.
  await page.getByText("The file (YAML)").click();
  await page.getByLabel(/^roleplay\.yaml/).fill(scenario(title));
  await expect(page.getByRole("heading", { name: `Role-play: ${title}` })).toBeVisible();
  await expect(page.getByLabel("Customer's name")).toHaveValue("Ray Okafor");
  await expect(page.getByText("None: the role-play would import.")).toBeVisible();

  // The graph: three turns and two endings; clicking a node opens that turn.
  const graph = page.getByTestId("turn-graph");
  await expect(graph.locator(".react-flow__node")).toHaveCount(5);
  await graph.locator(".react-flow__node", { hasText: "explain" }).click();
  await expect(page.getByRole("group", { name: "Turn explain" })).toBeVisible();
  await expect(page.getByLabel("The customer says")).toHaveValue("So what's going on?");

  // A dangling id is shown at once, on the turn and in the graph.
  await page.getByLabel("Option A next").selectOption("lost");
  await page.getByLabel("Option B next").selectOption("lost");
  await expect(page.getByRole("region", { name: /Problems/ })).toContainText("close");
  await expect(graph.locator(".rp-node-problem")).toHaveCount(1);
  await page.getByLabel("Option A next").selectOption("close");
  await page.getByLabel("Option B next").selectOption("close");
  await expect(page.getByText("None: the role-play would import.")).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // A colleague saves the same draft in between: the trainer's next save is refused and offers their version.
  const draftID = page.url().split("/library/roleplay-drafts/")[1].split("?")[0];
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const cur = await request.get(`/api/v1/library/drafts/${draftID}`, { headers: admin });
  const { body } = await cur.json();
  const put = await request.put(`/api/v1/library/drafts/${draftID}`, {
    headers: { ...admin, "If-Match": cur.headers()["etag"] }, data: { body: `# Reviewed by the outage team\n${body}` },
  });
  expect(put.status()).toBe(200);
  await page.getByLabel("Customer's name").fill("Ray O.");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").filter({ hasText: "Someone saved this draft" }).getByRole("button", { name: "Load their version" }).click();
  await expect(page.getByLabel("Customer's name")).toHaveValue("Ray Okafor");
  await expect(page.getByLabel(/^roleplay\.yaml/)).toHaveValue(/^# Reviewed by the outage team/);

  // Play it now: a test run, not recorded, scored like a real one.
  await page.getByRole("button", { name: "Play it now" }).click();
  const testRun = page.getByRole("region", { name: "Test run — not recorded" });
  for (const reply of [/I'm sorry, that's a long time/, /A crew is on site/, /If it's not back by 4 pm/]) {
    await testRun.getByRole("button", { name: reply }).click();
  }
  await expect(testRun.getByRole("heading", { name: /Test result: ✓ Passed/ })).toBeVisible();
  await look(page, testInfo, "roleplay-editor");

  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
  await expect(page.getByRole("link", { name: title })).toBeVisible();

  // An agent of the program plays the published role-play.
  const agent = await newHire(request, "cinder-valley-electric", "outages", "Role-play Agent");
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInAs(page, agent.email, agent.password, `/training/${agent.programID}`);
  const card = page.getByRole("article").filter({ hasText: title });
  await card.getByRole("button", { name: /Start/ }).click();
  for (const reply of [/I'm sorry, that's a long time/, /A crew is on site/, /If it's not back by 4 pm/]) {
    await page.getByRole("button", { name: reply }).click();
  }
  await expect(page.getByRole("heading", { name: /Result: ✓ Passed/ })).toBeVisible();
});
