import { readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { snap } from "./staff";
import { token } from "./training";

const PROGRAM = "Outages, voice and SMS";

test("a trainer writes a new module as a draft, sees a colleague's save, and publishes it", async ({ page, request }, testInfo) => {
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  const slug = `storm-updates-${unique()}`;
  await page.getByLabel("New module's slug").fill(slug);
  await page.getByRole("button", { name: "Start a new module" }).click();
  await expect(page.getByRole("heading", { name: /^New module:/ })).toBeVisible();

  // The front matter as fields, the lesson with a live preview.
  await page.getByLabel("Title").fill("Storm updates on the outage line");
  await page.getByLabel("Kind").selectOption("procedure");
  await page.getByLabel("Summary").fill("What to tell callers while a storm restoration is under way.");
  await page.getByLabel("Minutes to read").fill("6");
  await page.getByLabel("Lesson (markdown)").fill("# Storm updates\n\nGive the **estimated restoration time** and when it was last updated.\n");
  await expect(page.getByRole("region", { name: "Live preview" })).toContainText("estimated restoration time");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Draft saved (revision 2)" })).toBeVisible();
  await expect(page.getByRole("region", { name: "The saved draft" })).toContainText("Storm updates on the outage line");

  // A colleague saves the same draft in between: the trainer's next save is refused, naming what changed.
  const draftID = page.url().split("/library/drafts/")[1].split("?")[0];
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const cur = await request.get(`/api/v1/module-drafts/${draftID}`, { headers: admin });
  const { source } = await cur.json();
  const put = await request.put(`/api/v1/module-drafts/${draftID}`, {
    headers: { ...admin, "If-Match": cur.headers()["etag"] }, data: { markdown: `${source}\nCheck the outage map first.\n` },
  });
  expect(put.status()).toBe(200);
  await page.getByLabel("Lesson (markdown)").fill("# Storm updates\n\nGive the estimated restoration time.\n");
  await page.getByRole("button", { name: "Save draft" }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "saved by someone else" });
  await expect(conflict).toContainText("body");
  await expect(conflict).toBeFocused();
  await snap(page, testInfo, "trainer-draft-conflict");
  await conflict.getByRole("button", { name: "Reload the draft" }).click();
  await expect(page.getByLabel("Lesson (markdown)")).toHaveValue(/Check the outage map first\./);
  await expectNoSeriousA11yViolations(page, "the draft editor at 1280 px");
  await snap(page, testInfo, "trainer-draft-editor");

  // Published as version 1 of a module agents of the program can read.
  await page.getByRole("radio", { name: /Material/ }).check();
  await page.getByRole("button", { name: "Publish version 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1 as a material change." })).toBeVisible();
  await page.getByRole("link", { name: "← Program" }).click();
  await expect(page.getByRole("table", { name: "The program's modules, in reading order" })).toContainText("Storm updates on the outage line");
});

test("a trainer edits an existing module as a draft on a phone and sees it against the published version", async ({ page }, testInfo) => {
  await signIn(page, "trainer", "/library");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("table", { name: "The program's modules, in reading order" }).getByRole("link").first().click();
  await page.getByRole("button", { name: "Edit as a draft" }).click();
  await expect(page.getByRole("heading", { name: /^Draft:/ })).toBeVisible();
  const lesson = page.getByLabel("Lesson (markdown)");
  await lesson.fill(`${await lesson.inputValue()}\nReviewed on a phone.\n`);
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("region", { name: /Saved draft against version \d+/ })).toContainText("Added: Reviewed on a phone.");
  await expectNoSeriousA11yViolations(page, "the draft editor at 390 px");
  await page.getByRole("region", { name: /Saved draft against version/ }).scrollIntoViewIfNeeded();
  const body = await page.screenshot({ path: "screenshots/trainer-draft-editor-390.png" });
  await testInfo.attach("trainer-draft-editor (390 px)", { body, contentType: "image/png" });
  // The program lists the open draft, to come back to.
  await page.getByRole("link", { name: "← Program" }).click();
  await page.getByRole("heading", { name: "Drafts" }).locator("xpath=following-sibling::ul[1]").getByRole("link").first().click();
  await expect(page.getByLabel("Lesson (markdown)")).toHaveValue(/Reviewed on a phone\./);
  // Discarded: the module keeps its published text.
  await page.getByRole("button", { name: "Discard draft" }).click();
  await expect(page.getByRole("heading", { name: PROGRAM })).toBeVisible();
});

test("a trainer reads a core module but cannot change it", async ({ page }) => {
  await signIn(page, "trainer", "/library");
  await page.getByRole("link", { name: PROGRAM }).click();
  await page.getByRole("row").filter({ hasText: "core skill" }).first().getByRole("link").click();
  await expect(page.getByRole("note")).toContainText("only an admin may change it");
  await expect(page.getByRole("button", { name: "Edit as a draft" })).toHaveCount(0);
});

for (const width of [1280, 390]) {
  test(`an admin downloads the library and checks an upload with a dry run (${width} px)`, async ({ page }, testInfo) => {
    await signIn(page, "admin", "/admin/library");
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await expect(page.getByRole("heading", { name: "Library files" })).toBeVisible();
    await page.getByLabel("Format").selectOption("zip");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the library" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^skillgate-library-\d{8}\.zip$/);
    const archive = testInfo.outputPath("library.zip");
    await download.saveAs(archive);

    // The export uploaded back changes nothing.
    await page.getByLabel(/Library archive/).setInputFiles(archive);
    await page.getByRole("button", { name: "Check (dry run)" }).click();
    await expect(page.getByRole("region", { name: /^Dry run: 0 to create, 0 to change/ })).toContainText("Importing this archive changes nothing.");
    await expectNoSeriousA11yViolations(page, `library files at ${width} px`);
    await snap(page, testInfo, `admin-library-files-${width}`);

    // Not an archive: refused, nothing written.
    const junk = testInfo.outputPath("notes.zip");
    writeFileSync(junk, "not an archive");
    await page.getByLabel(/Library archive/).setInputFiles(junk);
    await page.getByRole("button", { name: "Check (dry run)" }).click();
    await expect(page.getByRole("alert")).toContainText("archive");
    expect(readFileSync(archive).subarray(0, 2).toString()).toBe("PK");
  });
}
