import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import {
  checkProgram, colleagueSaves, createProgram, draftID, editProgram, enrollAgent, publishProgram, publishProgramChange, writeModule,
} from "./authoring";
import { look, snap } from "./staff";

const CLIENT = "Cinder Valley Electric";

test("a trainer builds a new program with a new module, checks it, publishes it, and an enrolled agent sees it", async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page, "trainer", "/library");
  const slug = `storm-line-${unique()}`;
  const name = `Storm line ${slug.slice(-5)}`;

  // A new program: a draft of content/<client>/<slug>/program.yaml.
  await createProgram(page, CLIENT, name, slug, testInfo);

  // Something wrong: the check shows the importer's problem at its field.
  await page.getByLabel("Valid for (days)").fill("0");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByLabel("Valid for (days)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "Publishing would refuse this program" })).toBeVisible();
  await page.getByLabel("Valid for (days)").scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-program-editor-problem");
  await page.getByLabel("Valid for (days)").fill("365");
  await checkProgram(page);
  await expect(page.getByLabel("Valid for (days)")).not.toHaveAttribute("aria-invalid", "true");
  await look(page, testInfo, "trainer-program-editor");

  await publishProgram(page, name);

  // A new module of the program (the module drafts' flow), listed in it once published.
  const moduleSlug = `storm-basics-${unique()}`;
  await writeModule(page, moduleSlug, "Storm basics");

  // Back in the program editor: the new module is required; it goes first and day 1 of the plan.
  await editProgram(page, name);
  await page.getByRole("button", { name: "Move Storm basics up" }).click();
  await expect(page.getByRole("button", { name: "Move Storm basics up" })).toBeDisabled();
  await page.getByRole("button", { name: "Add a day's item" }).click();
  await page.getByLabel("What is due (item 1)").selectOption(`module:${moduleSlug}`);
  // A colleague saves the draft in between: the trainer's save is refused with a reload offered, nothing lost on the server.
  await colleagueSaves(request, draftID(page, "program"), (body) => `${body}# reviewed by an admin\n`);
  await page.getByRole("button", { name: "Save draft" }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "Someone else saved this draft" });
  await expect(conflict).toBeVisible();
  await conflict.getByRole("button", { name: "Reload the draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: /Reloaded version \d+/ })).toBeVisible();
  await page.getByRole("button", { name: "Move Storm basics up" }).click();
  await page.getByRole("button", { name: "Add a day's item" }).click();
  await page.getByLabel("What is due (item 1)").selectOption(`module:${moduleSlug}`);
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  await page.getByRole("button", { name: "Raw YAML" }).click();
  await expect(page.getByLabel("program.yaml")).toHaveValue(/# reviewed by an admin/);
  await expect(page.getByLabel("program.yaml")).toHaveValue(new RegExp(`modules:\\n  - ${moduleSlug}\\n  - core/active-listening`));
  await publishProgramChange(page, name);

  // An agent enrolled in it sees it, with the new module first.
  await enrollAgent(page, request, slug, "Storm Hire");
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Storm basics").first()).toBeVisible();
});
