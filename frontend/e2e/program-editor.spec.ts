import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { look, newHire, signInAs, snap } from "./staff";
import { token } from "./training";

const CLIENT = "Cinder Valley Electric";

test("a trainer builds a new program with a new module, checks it, publishes it, and an enrolled agent sees it", async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page, "trainer", "/library");
  const slug = `storm-line-${unique()}`;
  const name = `Storm line ${slug.slice(-5)}`;

  // A new program: a draft of content/<client>/<slug>/program.yaml.
  await page.getByRole("button", { name: `New program of ${CLIENT}` }).click();
  await page.getByLabel("Program name").fill(name);
  await page.getByLabel("Program slug").fill(slug);
  await look(page, testInfo, "trainer-library-new-program");
  await page.getByRole("button", { name: "Start the program" }).click();
  await expect(page.getByRole("heading", { name: `New program: ${name}` })).toBeVisible();
  await page.getByLabel("Description").fill("Calls about restoring power after a storm.");
  await page.getByLabel("Add a module").selectOption("core/active-listening");
  await page.getByRole("button", { name: "Add module" }).click();
  await expect(page.getByRole("button", { name: /^Remove .*Active listening/i })).toBeVisible();

  // Something wrong: the check shows the importer's problem at its field.
  await page.getByLabel("Valid for (days)").fill("0");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByLabel("Valid for (days)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "Publishing would refuse this program" })).toBeVisible();
  await page.getByLabel("Valid for (days)").scrollIntoViewIfNeeded();
  await snap(page, testInfo, "trainer-program-editor-problem");
  await page.getByLabel("Valid for (days)").fill("365");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Checked: it publishes as it is." })).toBeVisible();
  await expect(page.getByLabel("Valid for (days)")).not.toHaveAttribute("aria-invalid", "true");
  await look(page, testInfo, "trainer-program-editor");

  await page.getByRole("button", { name: "Publish the program" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Published: \d+ created/ })).toBeVisible();

  // A new module of the program (the module drafts' flow), listed in it once published.
  const moduleSlug = `storm-basics-${unique()}`;
  await page.getByLabel("New module's slug").fill(moduleSlug);
  await page.getByRole("button", { name: "Start a new module" }).click();
  await expect(page.getByRole("heading", { name: /^New module:/ })).toBeVisible();
  await page.getByLabel("Title").fill("Storm basics");
  await page.getByLabel("Summary").fill("What to tell a caller while crews restore power.");
  await page.getByLabel("Lesson (markdown)").fill("# Storm basics\n\nGive the **estimated restoration time**.\n");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  await page.getByRole("radio", { name: /Material/ }).check();
  await page.getByRole("button", { name: "Publish version 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1" })).toBeVisible();
  await page.getByRole("link", { name: "← Program" }).click();
  await expect(page.getByRole("table", { name: "The program's modules, in reading order" })).toContainText("Storm basics");

  // Back in the program editor: the new module is required; it goes first and day 1 of the plan.
  await page.getByRole("button", { name: "Edit the program's requirements" }).click();
  await expect(page.getByRole("heading", { name: `Edit program: ${name}` })).toBeVisible();
  await page.getByRole("button", { name: "Move Storm basics up" }).click();
  await expect(page.getByRole("button", { name: "Move Storm basics up" })).toBeDisabled();
  await page.getByRole("button", { name: "Add a day's item" }).click();
  await page.getByLabel("What is due (item 1)").selectOption(`module:${moduleSlug}`);
  // A colleague saves the draft in between: the trainer's save is refused with a reload offered, nothing lost on the server.
  const draftID = page.url().split("/library/program-drafts/")[1];
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const cur = await request.get(`/api/v1/library/drafts/${draftID}`, { headers: admin });
  const { body } = await cur.json();
  const put = await request.put(`/api/v1/library/drafts/${draftID}`, {
    headers: { ...admin, "If-Match": cur.headers()["etag"] }, data: { body: `${body}# reviewed by an admin\n` },
  });
  expect(put.status()).toBe(200);
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
  await page.getByRole("button", { name: "Publish the change" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  // An agent enrolled in it sees it, with the new module first.
  const agent = await newHire(request, "cinder-valley-electric", slug, "Storm Hire");
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInAs(page, agent.email, agent.password, `/training/${agent.programID}`);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Storm basics").first()).toBeVisible();
});
