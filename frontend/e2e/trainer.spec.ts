import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures";
import { snap } from "./staff";

const PROGRAM = "Outages, voice and SMS";

test("a trainer previews and publishes a new version of a module; problems show at the text", async ({ page }, testInfo) => {
  await signIn(page, "trainer", "/");
  await snap(page, testInfo, "trainer-home");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Content library" }).click();
  await expect(page.getByRole("heading", { name: "Content library" })).toBeVisible();
  await snap(page, testInfo, "trainer-library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
  await snap(page, testInfo, "trainer-program");

  await page.getByRole("table", { name: "The program's modules, in reading order" }).getByRole("link").first().click();
  const source = page.getByLabel("Module file (front matter and markdown)");
  await expect(source).toHaveValue(/^---/);
  const original = await source.inputValue();

  // A broken front matter: the preview names the problem at the text.
  await source.fill(original.replace(/^title:.*$/m, "title:"));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(source).toHaveAttribute("aria-invalid", "true");
  await expect(source).toBeFocused();

  // A fixed text previews, then publishes as a minor change.
  await source.fill(`${original.trimEnd()}\n\nLast reviewed by the training team.\n`);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("region", { name: /^Preview:/ })).toContainText("Last reviewed by the training team.");
  await snap(page, testInfo, "trainer-module-preview");
  const publish = page.getByRole("button", { name: /^Publish version \d+$/ });
  const next = (await publish.textContent())!.match(/\d+/)![0];
  await publish.click();
  await expect(page.getByRole("group", { name: "What kind of change is this?" })).toHaveAttribute("aria-invalid", "true");
  await page.getByRole("radio", { name: /Minor/ }).check();
  await publish.click();
  await expect(page.getByRole("status").filter({ hasText: `Published version ${next} as a minor change.` })).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Versions" })).toContainText(`v${next}`);
});

test("a trainer reads the quiz's item analysis and the role-play's competencies", async ({ page }, testInfo) => {
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("heading", { name: "Quizzes" }).locator("xpath=..").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Quiz item analysis" })).toBeVisible();
  await expect(page.getByText(/graded attempts?/)).toBeVisible();
  await snap(page, testInfo, "trainer-quiz-analysis");
  await page.getByRole("link", { name: "← Program" }).click();
  await page.getByRole("heading", { name: "Role-plays" }).locator("xpath=..").getByRole("link").first().click();
  await expect(page.getByText(/scored runs?/)).toBeVisible();
  await snap(page, testInfo, "trainer-roleplay-competencies");
});
