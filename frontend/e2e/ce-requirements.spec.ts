import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { look } from "./staff";
import { signIn } from "./fixtures";

// Compliance maintains the CE requirements in the app (the demo library's sample values from
// content/ce-requirements.yaml): the API's refusals show at their fields, a saved requirement is marked
// checked or sample, and the library downloads as its file. Each step is scanned with axe and photographed
// at 1280 and 390 px (frontend/screenshots/), and must not scroll sideways on the phone.

/** The row of a requirement, by its state (the row's header reads the state and the class). */
function requirementRow(page: Page, state: string) {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: `${state} insurance producer`, exact: true }) });
}

test("compliance edits, adds and removes CE requirements and downloads the library file", async ({ page }, testInfo) => {
  test.slow(); // five pages scanned and photographed at two widths on a shared machine
  await signIn(page, "compliance", "/compliance/ce");
  await expect(page.getByRole("heading", { name: "Continuing education", level: 1 })).toBeVisible();
  const tx = requirementRow(page, "TX");
  await expect(tx.getByText("sample", { exact: true })).toBeVisible();
  await look(page, testInfo, "ce-requirements");

  // Edit TX with values the API refuses: each message is at its field.
  await tx.getByRole("button", { name: "Edit the TX insurance producer requirement" }).click();
  const edit = page.getByRole("dialog", { name: "Edit the TX insurance producer requirement" });
  await edit.getByLabel("Renewal period (months)").fill("0");
  await edit.getByLabel("Hours per period").fill("");
  await edit.getByRole("button", { name: "Save requirement" }).click();
  await expect(edit.getByLabel("Renewal period (months)")).toHaveAttribute("aria-invalid", "true");
  await expect(edit.getByLabel("Hours per period")).toHaveAttribute("aria-invalid", "true");
  await expect(edit.getByText("must be 1 to 120")).toBeVisible();
  await look(page, testInfo, "ce-requirement-errors");

  // Fix them, add an annuities category and mark the values checked.
  await edit.getByLabel("Renewal period (months)").fill("24");
  await edit.getByLabel("Hours per period").fill("26");
  await edit.getByRole("button", { name: "Add a category" }).click();
  await edit.getByLabel("Category 2", { exact: true }).fill("annuities");
  await edit.getByLabel("Hours of annuities", { exact: true }).fill("2");
  await edit.getByLabel("Sample value").uncheck();
  await edit.getByRole("button", { name: "Save requirement" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved the TX insurance producer requirement." })).toBeVisible();
  await expect(tx).toContainText("26");
  await expect(tx).toContainText("2 h annuities");
  await expect(tx.getByText("sample", { exact: true })).toHaveCount(0);
  await expect(page.getByText("Edited here since the file was imported")).toBeVisible();

  // Add OK with category hours over the total: refused at the categories, then saved.
  await page.getByRole("button", { name: "Add requirement" }).click();
  const add = page.getByRole("dialog", { name: "Add a CE requirement" });
  await add.getByLabel("State", { exact: true }).fill("ok");
  await add.getByLabel("Hours per period").fill("20");
  await add.getByRole("button", { name: "Add a category" }).click();
  await add.getByLabel("Category 1", { exact: true }).fill("ethics");
  await add.getByLabel("Hours of ethics", { exact: true }).fill("30");
  await add.getByRole("button", { name: "Save requirement" }).click();
  await expect(add.getByText("the categories' hours (30) are more than the requirement's hours (20)")).toBeVisible();
  await look(page, testInfo, "ce-requirement-add");
  await add.getByLabel("Hours of ethics", { exact: true }).fill("3");
  await add.getByRole("button", { name: "Save requirement" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved the OK insurance producer requirement." })).toBeVisible();
  const ok = requirementRow(page, "OK");
  await expect(ok).toContainText("3 h ethics");
  await expect(ok.getByText("sample", { exact: true })).toBeVisible();
  await look(page, testInfo, "ce-requirements-edited");

  // The file holds the edits.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download file" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("ce-requirements.yaml");
  const text = readFileSync(await file.path(), "utf8");
  expect(text).toContain("{state: TX, class: insurance-producer, period_months: 24, hours: 26, categories: {annuities: 2, ethics: 3}, sample: false}");
  expect(text).toContain("{state: OK, class: insurance-producer, period_months: 24, hours: 20, categories: {ethics: 3}}");

  // Remove OK, after asking.
  await ok.getByRole("button", { name: "Remove the OK insurance producer requirement" }).click();
  const remove = page.getByRole("dialog", { name: "Remove the OK insurance producer requirement?" });
  await remove.getByRole("button", { name: "Remove requirement" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Removed the OK insurance producer requirement." })).toBeVisible();
  await expect(requirementRow(page, "OK")).toHaveCount(0);
});

test("compliance reads an agent's CE standing and records external CE", async ({ page }, testInfo) => {
  test.slow(); // two pages scanned and photographed at two widths on a shared machine
  await signIn(page, "compliance", "/admin/users?q=marcus");
  await page.getByRole("link", { name: "Marcus Bell" }).click();
  const ce = page.getByRole("region", { name: "Continuing education" });
  await expect(ce.getByRole("table", { name: "Each license's CE this renewal period" })).toContainText("TX-2291847");

  // Refused without its fields: each message at its field.
  await ce.getByRole("button", { name: "Record external CE" }).click();
  const rec = page.getByRole("dialog", { name: "Record external CE" });
  await rec.getByRole("button", { name: "Record CE" }).click();
  for (const label of ["State", "Course title", "Hours", "Completed on", "Evidence"]) {
    await expect(rec.getByLabel(label, { exact: true })).toHaveAttribute("aria-invalid", "true");
  }
  await look(page, testInfo, "ce-record-errors");
  await rec.getByLabel("State", { exact: true }).fill("tx");
  await rec.getByLabel("Course title").fill("Annuity suitability (external)");
  await rec.getByLabel("Hours", { exact: true }).fill("3");
  await rec.getByLabel("Category (optional)").fill("ethics");
  await rec.getByLabel("Completed on").fill("2026-11-02");
  await rec.getByLabel("Evidence", { exact: true }).fill("Certificate 55-1203 from the provider");
  await rec.getByRole("button", { name: "Record CE" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Recorded 3 hours of TX CE." })).toBeVisible();
  await expect(ce.getByRole("table", { name: "CE credits on record, newest first" })).toContainText("Annuity suitability (external)");
  await look(page, testInfo, "ce-user");
});
