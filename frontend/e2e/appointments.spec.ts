import { expect, test, type Page } from "@playwright/test";
import { look } from "./staff";
import { signIn } from "./fixtures";

// Compliance's appointment and continuing-education pages, and an agent's appointments and CE standing, over
// the demo center (server/internal/demo): Larkspur has appointed Priya in GA, has her NC appointment requested and
// her FL one terminated, and appointed Marcus in TX. Every page is scanned with axe and photographed at 1280 and
// 390 px (frontend/screenshots/), and must not scroll sideways on the phone.

/** The rows of a table with a cell that reads exactly text (a state code is inside many words). */
function rowWithCell(page: Page, text: string) {
  return page.getByRole("row").filter({ has: page.getByRole("cell", { name: text, exact: true }) });
}

test("compliance records, terminates and imports appointments, and reads the gaps and terminations", async ({ page }, testInfo) => {
  await signIn(page, "compliance", "/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Appointments" }).click();
  await expect(page.getByRole("heading", { name: "Appointments on record" })).toBeVisible();
  const priyaNC = rowWithCell(page, "NC").filter({ hasText: "Priya Raman" });
  await expect(priyaNC).toContainText("Requested");
  await look(page, testInfo, "appointments-list");

  // Filter by state and status.
  await page.getByLabel("State", { exact: true }).fill("GA");
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await expect(page.getByRole("row").filter({ hasText: "Priya Raman" })).toHaveCount(1);
  await page.getByLabel("State", { exact: true }).fill("");
  await page.getByLabel("Status", { exact: true }).selectOption("");

  // Recording without the fields: the API's errors show at the fields.
  await page.getByRole("button", { name: "Record appointment" }).click();
  const rec = page.getByRole("dialog", { name: "Record an appointment" });
  await rec.getByRole("button", { name: "Record appointment" }).click();
  await expect(rec.getByLabel("Carrier", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(rec.getByLabel("State", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await rec.getByLabel("Agent's email").fill("marcus.bell@demo.skillgate.test");
  await rec.getByLabel("Carrier", { exact: true }).selectOption({ label: "Larkspur Life & Health" });
  await rec.getByLabel("State", { exact: true }).fill("az");
  await rec.getByLabel("Appointed").check();
  await rec.getByLabel("Effective date").fill("2026-01-15");
  await rec.getByLabel("Carrier's or NIPR reference (optional)").fill("LL-AZ-1");
  await look(page, testInfo, "appointments-record");
  await rec.getByRole("button", { name: "Record appointment" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Recorded marcus.bell@demo.skillgate.test's AZ appointment as active." })).toBeVisible();

  // Terminate it, with a reason.
  const marcusAZ = rowWithCell(page, "AZ").filter({ hasText: "Marcus Bell" });
  await marcusAZ.getByRole("button", { name: /^Terminate / }).click();
  const term = page.getByRole("dialog", { name: "Terminate this appointment" });
  await term.getByRole("button", { name: "Terminate appointment" }).click();
  await expect(term.getByLabel("Why is it terminated?")).toHaveAttribute("aria-invalid", "true");
  await term.getByLabel("Why is it terminated?").fill("Moved to another carrier's queue");
  await term.getByRole("button", { name: "Terminate appointment" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Terminated Marcus Bell's AZ appointment with Larkspur Life & Health." })).toBeVisible();
  await expect(marcusAZ).toContainText("Terminated");

  // Priya is licensed in NC and her appointment there only requested: a gap.
  await page.getByRole("navigation", { name: "Appointment pages" }).getByRole("link", { name: "Gaps" }).click();
  await expect(rowWithCell(page, "NC").filter({ hasText: "Priya Raman" })).toContainText("Requested, not yet active");
  await look(page, testInfo, "appointments-gaps");
  await page.getByRole("navigation", { name: "Appointment pages" }).getByRole("link", { name: "Appointments" }).click();

  // A CSV with problems: each row's problem is listed, nothing is imported.
  await page.getByRole("button", { name: "Import CSV" }).click();
  const imp = page.getByRole("dialog", { name: "Import a carrier's appointment list" });
  const bad = "email,client,jurisdiction,lines_of_authority,status,effective_date\n" +
    "priya.raman@demo.skillgate.test,larkspur-life,NC,life;accident-and-health,active,2026-02-01\n" +
    "nobody@demo.skillgate.test,larkspur-life,TX,life,active,2026-02-01\n" +
    "marcus.bell@demo.skillgate.test,no-such-carrier,FL,life,sometimes,\n";
  await imp.getByLabel("CSV file").setInputFiles({ name: "larkspur.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await imp.getByRole("button", { name: "Import" }).click();
  const problems = imp.getByRole("alert");
  await expect(problems).toContainText("Nothing was imported.");
  await expect(problems.getByRole("row").filter({ has: page.getByRole("cell", { name: "email", exact: true }) })).toContainText("3");
  await expect(problems.getByRole("row").filter({ has: page.getByRole("cell", { name: "client", exact: true }) })).toContainText("4");
  await expect(problems.getByRole("row").filter({ has: page.getByRole("cell", { name: "status", exact: true }) })).toContainText("4");
  await look(page, testInfo, "appointments-import-errors");
  // The same list without the bad rows: Priya's NC request becomes active.
  await imp.getByLabel("CSV file").setInputFiles({ name: "larkspur.csv", mimeType: "text/csv", buffer: Buffer.from(bad.split("\n").slice(0, 2).join("\n") + "\n") });
  await imp.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "1 activated" })).toBeVisible();
  await expect(priyaNC).toContainText("Active");

  await page.getByRole("navigation", { name: "Appointment pages" }).getByRole("link", { name: "Terminations to file" }).click();
  await expect(page.getByRole("heading", { name: "Terminations to file" })).toBeVisible();
  await look(page, testInfo, "appointments-terminations");
  await page.getByRole("navigation", { name: "Appointment pages" }).getByRole("link", { name: "Gaps" }).click();
  await expect(page.getByText("No gaps: every licensed agent is appointed where their programs need it.")).toBeVisible();
});

test("compliance reads the CE library, marked as samples", async ({ page }, testInfo) => {
  await signIn(page, "compliance", "/compliance/ce");
  await expect(page.getByRole("heading", { name: "Continuing education", level: 1 })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("Sample values, not legal requirements.");
  await expect(page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "NC insurance producer" }) })).toContainText("long term care");
  await look(page, testInfo, "ce-library");
});

test("an agent sees their appointments and each license's CE standing", async ({ page }, testInfo) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("priya.raman@demo.skillgate.test");
  await page.getByLabel("Password").fill("agent-demo-skillgate");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/licenses");
  const mine = page.getByRole("region", { name: "My appointments" });
  await expect(mine.getByRole("row").filter({ has: page.getByRole("cell", { name: "GA", exact: true }) })).toContainText("Active");
  await expect(mine.getByRole("row").filter({ has: page.getByRole("cell", { name: "FL", exact: true }) })).toContainText("Terminated");
  const ga = page.getByRole("table", { name: "Your licenses" }).getByRole("row").filter({ hasText: "GA-884120" });
  // The CE job may already have credited her direct-sales certification (an approved course in GA).
  await expect(ga).toContainText(/\d+ of 24 hours/);
  await expect(ga).toContainText(/ethics: \d+ of 3 hours/);
  await look(page, testInfo, "agent-licenses-ce");
});
