import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn } from "./fixtures";

// Certificates: a tenured demo agent downloads the PDF and the Open Badges credential from My
// certifications, and anyone (a browser without a session) opens the public verification page, at
// 1280 px and on a phone (390 px), with an axe scan at both widths. Screenshots go to
// frontend/screenshots/ (git-ignored) for a person to look at.

const SHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
mkdirSync(SHOTS, { recursive: true });
/** The demo center's agents (server/internal/demo) share one public password. */
const DEMO_AGENT_PASSWORD = "agent-demo-skillgate";
const MARCUS = "marcus.bell@demo.skillgate.test";

async function signInAs(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

test("an agent downloads a certificate and its wallet credential; anyone verifies it", async ({ page, browser }) => {
  await signInAs(page, MARCUS, DEMO_AGENT_PASSWORD);
  await page.goto("/certifications");
  await expect(page.getByRole("heading", { name: "My certifications" })).toBeVisible();
  const pdfButton = page.getByRole("button", { name: /^Download PDF of certificate SG-\d{4}-\d{6}$/ }).first();
  await expect(pdfButton).toBeVisible();
  const label = (await pdfButton.getAttribute("aria-label")) ?? "";
  const number = /SG-\d{4}-\d{6}/.exec(label)![0];
  await page.screenshot({ path: `${SHOTS}certificates-mine-1280.png` });
  await expectNoSeriousA11yViolations(page, "my certifications with certificates");

  // The PDF.
  const [pdf] = await Promise.all([page.waitForEvent("download"), pdfButton.click()]);
  expect(pdf.suggestedFilename()).toBe(`certificate-${number}.pdf`);
  const pdfBytes = readFileSync(await pdf.path());
  expect(pdfBytes.subarray(0, 5).toString()).toBe("%PDF-");
  await expect(page.getByRole("status").filter({ hasText: `Saved certificate-${number}.pdf.` })).toBeVisible();

  // The wallet credential: a VC-JWT whose payload is an OpenBadgeCredential.
  const [cred] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: `Wallet credential (Open Badges) of certificate ${number}` }).click(),
  ]);
  expect(cred.suggestedFilename()).toBe(`credential-${number}.jwt`);
  const jwt = readFileSync(await cred.path(), "utf8");
  const [header, payload] = jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString("utf8")));
  expect(header.alg).toBe("EdDSA");
  expect(payload.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
  expect(payload.credentialSubject.identifier[0].identityHash).toBe("Marcus Bell");
  const verifyPath = new URL(payload.id).pathname;
  expect(verifyPath).toMatch(/^\/verify\/[a-z2-7]{26}$/);

  // The verification page from the agent's own link.
  await page.getByRole("link", { name: `Verification page of certificate ${number}` }).click();
  await expect(page).toHaveURL(verifyPath);
  await expect(page.getByRole("heading", { name: "Certificate verification" })).toBeVisible();

  // Anyone, without a session, at 1280 px and on a phone.
  const stranger = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const visitor = await stranger.newPage();
  await visitor.goto(verifyPath);
  await expect(visitor.getByRole("heading", { name: "Certificate verification" })).toBeVisible();
  await expect(visitor.getByText("Marcus Bell")).toBeVisible();
  await expect(visitor.getByRole("status").filter({ hasText: /Valid/ })).toBeVisible();
  await expect(visitor.getByText(MARCUS)).toHaveCount(0);
  await expect(visitor.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await visitor.screenshot({ path: `${SHOTS}verify-1280.png` });
  await expectNoSeriousA11yViolations(visitor, "the verification page at 1280 px");

  await visitor.setViewportSize({ width: 390, height: 844 });
  await expect(visitor.getByText("Marcus Bell")).toBeVisible();
  expect(await visitor.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await visitor.screenshot({ path: `${SHOTS}verify-390.png`, fullPage: true });
  await expectNoSeriousA11yViolations(visitor, "the verification page at 390 px");

  // A link nobody was given says so.
  await visitor.goto("/verify/aaaaaaaaaaaaaaaaaaaaaaaaaa");
  await expect(visitor.getByRole("alert")).toHaveText(/No certificate has this link/);
  await visitor.screenshot({ path: `${SHOTS}verify-unknown-390.png` });
  await expectNoSeriousA11yViolations(visitor, "the verification page for an unknown link");
  await stranger.close();

  // An expired certification's certificate says expired (Sam Okafor's, certified 400 days ago for a year).
  const sam = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const samPage = await sam.newPage();
  await signInAs(samPage, "sam.okafor@demo.skillgate.test", DEMO_AGENT_PASSWORD);
  await samPage.setViewportSize({ width: 390, height: 844 });
  await samPage.goto("/certifications");
  const samLink = samPage.getByRole("link", { name: /^Verification page of certificate SG-/ }).first();
  await expect(samLink).toBeVisible();
  await samLink.click();
  await expect(samPage.getByRole("status").filter({ hasText: "Expired" })).toBeVisible();
  await expect(samPage.getByText("This certificate was real, but it is no longer current.")).toBeVisible();
  await samPage.screenshot({ path: `${SHOTS}verify-expired-390.png` });
  await expectNoSeriousA11yViolations(samPage, "the verification page of an expired certificate");
  await sam.close();

  // Staff of the client download it from the program's enrolled agents.
  const trainer = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const trainerPage = await trainer.newPage();
  await signIn(trainerPage, "trainer", "/library");
  await trainerPage.getByRole("link", { name: "Residential billing, voice and chat" }).click();
  const row = trainerPage.getByRole("row").filter({ hasText: MARCUS });
  await expect(row).toContainText("Certified");
  const [staffPDF] = await Promise.all([
    trainerPage.waitForEvent("download"),
    row.getByRole("button", { name: `Certificate PDF of Marcus Bell <${MARCUS}>` }).click(),
  ]);
  expect(staffPDF.suggestedFilename()).toMatch(/^certificate-SG-\d{4}-\d{6}\.pdf$/);
  expect(readFileSync(await staffPDF.path()).subarray(0, 5).toString()).toBe("%PDF-");
  await expect(trainerPage.getByRole("status").filter({ hasText: /^Saved certificate-SG-/ })).toBeVisible();
  await expectNoSeriousA11yViolations(trainerPage, "a program's enrolled agents with certificate downloads");
  await trainer.close();

  // My certifications on a phone: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/certifications");
  await expect(pdfButton).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}certificates-mine-390.png`, fullPage: true });
});
