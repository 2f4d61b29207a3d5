import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures";
import { newHire, snap, type NewHire } from "./staff";

let hire: NewHire;
const NUMBER = `TX-${Date.now() % 1e7}`;

test.beforeAll(async ({ request }) => {
  hire = await newHire(request, "larkspur-life", "policy-service", "Lee Licensed");
  const login = await request.post("/api/v1/auth/login", { data: { email: hire.email, password: hire.password, refresh_token_delivery: "body" } });
  const { access_token } = await login.json();
  const r = await request.post("/api/v1/licenses", {
    headers: { Authorization: `Bearer ${access_token}` },
    data: {
      npn: "19283746", jurisdiction: "TX", license_number: NUMBER, class: "insurance-producer", lines_of_authority: ["life", "accident-and-health"],
      resident: true, issue_date: "2025-02-01", effective_date: "2025-02-01", expiry_date: "2029-02-01", evidence: "NIPR lookup",
    },
  });
  if (r.status() !== 201) throw new Error(`submit license: ${r.status()} ${await r.text()}`);
});

test("compliance verifies a license an agent submitted; rejecting needs a note", async ({ page }, testInfo) => {
  await signIn(page, "compliance", "/");
  await expect(page.getByRole("region", { name: /Licenses waiting for verification/ })).toContainText("Lee Licensed");
  await snap(page, testInfo, "compliance-home");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Licenses" }).click();
  const row = page.getByRole("row").filter({ hasText: NUMBER });
  await expect(row).toContainText(hire.email);
  await snap(page, testInfo, "compliance-license-queue");

  // Rejecting without a note: the API's error is shown at the note.
  await row.getByRole("button", { name: /^Reject / }).click();
  const reject = page.getByRole("dialog", { name: "Reject this license" });
  await reject.getByRole("button", { name: "Reject license" }).click();
  await expect(reject.getByLabel("Why is it rejected?")).toHaveAttribute("aria-invalid", "true");
  await expect(reject.getByLabel("Why is it rejected?")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(reject).toHaveCount(0);

  await row.getByRole("button", { name: /^Verify / }).click();
  const verify = page.getByRole("dialog", { name: "Verify this license" });
  await verify.getByLabel("Note (optional)").fill("Matches the NIPR record.");
  await verify.getByRole("button", { name: "Verify license" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Verified Lee Licensed's TX license ${NUMBER}` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: NUMBER })).toHaveCount(0);

  // The agent sees it verified.
  const res = await page.request.post("/api/v1/auth/login", { data: { email: hire.email, password: hire.password, refresh_token_delivery: "body" } });
  const { access_token } = await res.json();
  const { licenses } = await (await page.request.get("/api/v1/licenses", { headers: { Authorization: `Bearer ${access_token}` } })).json();
  expect(licenses.find((l: { license_number: string }) => l.license_number === NUMBER).status).toBe("verified");
});

test("compliance reads the expiring and gaps reports and downloads them as CSV", async ({ page }, testInfo) => {
  await signIn(page, "compliance", "/compliance/licenses?tab=expiring");
  await expect(page.getByRole("heading", { name: "Verified licenses expiring soon" })).toBeVisible();
  await page.getByLabel("90 days").check();
  await expect(page.getByRole("radio", { name: "90 days" })).toBeChecked();
  await snap(page, testInfo, "compliance-expiring");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const text = await (await file.createReadStream()).toArray();
  expect(Buffer.concat(text).toString("utf8").split("\n")[0]).toContain("email");
  await expect(page.getByRole("status").filter({ hasText: /^Downloaded / })).toBeVisible();

  await page.getByRole("navigation", { name: "License reports" }).getByRole("link", { name: "Gaps" }).click();
  await expect(page.getByRole("heading", { name: "Certified but not licensed" })).toBeVisible();
  await snap(page, testInfo, "compliance-gaps");
});
