import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import {
  checkProgram, createProgram, enrollAgent, playItNow, playRoleplay, publishProgram, publishRoleplay, readModule,
  saveDraft, takeQuiz, writeModule, writeQuiz, writeRoleplay,
} from "./authoring";

const CLIENT = "Cinder Valley Electric";

// Issue #26's journey: everything a new program needs is written in the app by a trainer, then taken by an agent.
test("a trainer builds a program with a new module, quiz and role-play in the app; an enrolled agent takes them and is certified", async ({ page, request }) => {
  test.setTimeout(240_000);
  const u = unique();
  const slug = `storm-desk-${u}`;
  const name = `Storm desk ${u.slice(-5)}`;
  const moduleTitle = `Storm basics ${u.slice(-5)}`;
  const quizTitle = `Storm check ${u}`;
  const roleplayTitle = `Power out overnight ${u}`;
  await signIn(page, "trainer", "/library");

  // The program (with one core module), then its new module, published from the program's page.
  await createProgram(page, CLIENT, name, slug);
  await checkProgram(page);
  await publishProgram(page, name);
  await writeModule(page, `storm-basics-${u}`, moduleTitle);

  // A quiz with three question types, previewed with Check my answers and published: the program now lists it.
  await writeQuiz(page, `storm-check-${u}`, quizTitle);
  await page.getByRole("link", { name: "← Program" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  // A three-turn role-play, played now as a test run and published; publishing lists it in program.yaml, as a
  // quiz's does, so the program requires it.
  await writeRoleplay(page, `power-out-${u}`, roleplayTitle);
  await saveDraft(page);
  await playItNow(page);
  await publishRoleplay(page, name, roleplayTitle);

  // An agent enrolled in the program reads both modules, passes the quiz and the role-play.
  const agent = await enrollAgent(page, request, slug, "Storm Desk Hire");
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("0 of 4 done")).toBeVisible();
  await readModule(page, moduleTitle);
  await readModule(page, "Active listening and attentiveness");
  await expect(page.getByText("2 of 4 done")).toBeVisible();
  await takeQuiz(page, quizTitle);
  await page.goto(`/training/${agent.programID}`);
  await expect(page.getByText("3 of 4 done")).toBeVisible();
  await playRoleplay(page, roleplayTitle);

  // The program needs nothing more (no sign-off, no license): every requirement done, and the agent is certified.
  await page.goto(`/training/${agent.programID}`);
  await expect(page.getByText("4 of 4 done")).toBeVisible();
  await page.goto("/certifications");
  const record = page.getByRole("article", { name: new RegExp(name) });
  await expect(record.getByText("Certified", { exact: true })).toBeVisible();
  await expect(record.getByText("Every requirement is done.")).toBeVisible();
});
