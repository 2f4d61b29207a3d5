import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { look } from "./staff";
import { signIn } from "./fixtures";

// A trainer uploads a new version of Fenmore Bank's card-fees bank (quizzes/fenmore-bank/card-services/card-fees.gift):
// a broken file shows its problem at file:line and cannot be applied; a fixed one shows what each question and
// quiz would become, then is applied. The original file is applied again at the end, so the quizzes other specs
// take keep their questions. Every step is scanned with axe and photographed at 1280 and 390 px.

const ORIGINAL = readFileSync(fileURLToPath(new URL("../../quizzes/fenmore-bank/card-services/card-fees.gift", import.meta.url)), "utf8");

async function choose(page: Page, name: string, text: string) {
  await page.getByLabel("File", { exact: true }).setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(text) });
  await page.getByRole("button", { name: "Check the file" }).click();
}

test("a trainer checks a bank file, sees its problems at file:line, then applies a fixed one", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page, "trainer", "/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Question banks" }).click();
  await expect(page.getByRole("heading", { name: "Question banks" })).toBeVisible();
  await page.getByLabel("Client").selectOption({ label: "Fenmore Bank" });
  const bank = page.getByRole("list", { name: "Banks" }).getByRole("listitem").filter({ hasText: "card-fees" });
  await expect(bank).toContainText("drawn by Fenmore card services");
  const download = page.waitForEvent("download");
  await bank.getByRole("button", { name: "Export as Moodle XML (card-fees)" }).click();
  expect((await download).suggestedFilename()).toBe("card-fees.xml");
  await look(page, testInfo, "banks-list");

  // A broken question: the problem names the file and line; nothing can be applied.
  const edited = ORIGINAL.replace("::late-fee-cap::A late fee is never more than the minimum payment due.{T#", "::late-fee-cap::A late fee is never more than the minimum payment due.{=a =b ~c}\n\n::late-fee-cap-old::x{T#");
  await choose(page, "card-fees-v2.gift", edited);
  const problems = page.getByRole("alert").filter({ hasText: "problem" });
  await expect(problems).toContainText(/card-fees-v2\.gift:\d+: question late-fee-cap:/);
  await expect(page.getByRole("button", { name: /^Apply/ })).toHaveCount(0);
  await look(page, testInfo, "banks-problems");

  // A fixed file: one question changed, one created; the quizzes drawing the bank get new versions.
  const fixed = ORIGINAL
    .replace("Right: up to $30 the first time", "Right: at most $30 the first time")
    .replace("$CATEGORY: $course$/top/Card Fees\n", "$CATEGORY: $course$/top/Card Fees\n\n::annual-fee-everyday::The Everyday Visa has no annual fee.{T}\n");
  await choose(page, "card-fees-v2.gift", fixed);
  const report = page.getByRole("region", { name: "What card-fees-v2.gift would do" });
  await expect(report).toContainText("1 created, 1 changed");
  await expect(report.getByRole("row").filter({ hasText: "first-late-fee" })).toContainText("changed");
  await expect(report.getByRole("row").filter({ hasText: "annual-fee-everyday" })).toContainText("created");
  await expect(report.getByRole("table", { name: /Quizzes that draw card-fees/ })).toContainText("gets a new version");
  await look(page, testInfo, "banks-dry-run");
  await page.getByRole("button", { name: /^Apply: (1 quiz gets|\d+ quizzes get) a new version$/ }).click();
  await expect(page.getByRole("status").filter({ hasText: /Applied card-fees-v2\.gift to card-fees: .* is now at version \d+/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "Applied card-fees-v2.gift" })).toBeVisible();
  await look(page, testInfo, "banks-applied");

  // The original file again: the quizzes get their original questions back.
  await choose(page, "card-fees.gift", ORIGINAL);
  await expect(page.getByRole("region", { name: "What card-fees.gift would do" })).toContainText("1 changed, 1 removed");
  await page.getByRole("button", { name: /^Apply/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied card-fees.gift to card-fees" })).toBeVisible();
});
