import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { colleagueSaves, draftID, enrollAgent, playItNow, playRoleplay, publishRoleplay, saveDraft, writeRoleplay } from "./authoring";
import { look } from "./staff";

const PROGRAM = "Outages, voice and SMS";

test("a trainer writes a three-turn role-play, sees its graph, plays it now and publishes it; an agent plays it", async ({ page, request }, testInfo) => {
  const title = `Power out overnight ${unique()}`;
  const slug = `power-out-${unique()}`;
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await writeRoleplay(page, slug, title);

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
  await saveDraft(page);

  // A colleague saves the same draft in between: the trainer's next save is refused and offers their version.
  await colleagueSaves(request, draftID(page, "roleplay"), (body) => `# Reviewed by the outage team\n${body}`);
  await page.getByLabel("Customer's name").fill("Ray O.");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").filter({ hasText: "Someone saved this draft" }).getByRole("button", { name: "Load their version" }).click();
  await expect(page.getByLabel("Customer's name")).toHaveValue("Ray Okafor");
  await expect(page.getByLabel(/^roleplay\.yaml/)).toHaveValue(/^# Reviewed by the outage team/);

  // Play it now: a test run, not recorded, scored like a real one.
  await playItNow(page);
  await look(page, testInfo, "roleplay-editor");

  await publishRoleplay(page, PROGRAM, title);

  // An agent of the program plays the published role-play.
  await enrollAgent(page, request, "outages", "Role-play Agent");
  await playRoleplay(page, title);
});
