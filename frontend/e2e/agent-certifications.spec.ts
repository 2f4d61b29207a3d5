import { expect, test } from "@playwright/test";
import { account, signIn, unique } from "./fixtures";
import { look, newHire } from "./staff";
import { token } from "./training";

// Compliance revokes a fresh agent's certification from the agent's page (the reason is required: the API's
// refusal shows at the field), reads the history by name, and reinstates it. A trainer of the agent's client
// reads the same history but is offered neither action. Compliance revokes a license of another new hire.
// Only this spec's own new hires are changed.
const PROGRAM = "Card services, inbound voice";

test("compliance revokes and reinstates an agent's certification, with the history by name", async ({ page, request }, testInfo) => {
  const hire = await newHire(request, "fenmore-bank", "card-services", `Rae Revoke ${unique()}`);
  const officer = account("compliance").email;

  await signIn(page, "compliance", `/admin/users/${hire.id}`);
  const line = page.getByRole("listitem").filter({ hasText: PROGRAM });
  await expect(line).toContainText("In training");

  // Revoke asks for a reason; sent without one, the API's refusal is shown at the field.
  await line.getByRole("button", { name: `Revoke in ${PROGRAM}` }).click();
  const revoke = page.getByRole("dialog", { name: "Revoke this certification?" });
  await revoke.getByRole("button", { name: "Revoke" }).click();
  const reason = revoke.getByRole("textbox", { name: "Reason" });
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expect(reason).toBeFocused();
  await expect(revoke.locator(".field-error")).toHaveText("Say why.");
  await reason.fill("Shared a customer's card number in a chat");
  await look(page, testInfo, "agent-certification-revoke");
  await revoke.getByRole("button", { name: "Revoke" }).click();
  await expect(revoke).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: `in ${PROGRAM}.` })).toContainText("Revoked");
  await expect(line).toContainText("Revoked");
  await expect(line.getByRole("button", { name: `Revoke in ${PROGRAM}` })).toHaveCount(0);

  // The history: enrollment, then the revocation with who, when and the note.
  await line.getByText("History").click();
  const history = line.getByRole("list", { name: `History of ${PROGRAM}` });
  await expect(history.getByRole("listitem")).toHaveCount(2);
  await expect(history.getByRole("listitem").first()).toContainText("Enrolled: in training");
  const revoked = history.getByRole("listitem").nth(1);
  await expect(revoked).toContainText("Revoked: in training → revoked");
  await expect(revoked).toContainText(officer);
  await expect(revoked).toContainText("Reason: Shared a customer's card number in a chat");
  await look(page, testInfo, "agent-certification-history");

  // Reinstate: never certified, so back in training; the history grows by one.
  await line.getByRole("button", { name: `Reinstate in ${PROGRAM}` }).click();
  const reinstate = page.getByRole("dialog", { name: "Reinstate this certification?" });
  await reinstate.getByRole("textbox", { name: "Reason" }).fill("Investigation cleared the agent");
  await reinstate.getByRole("button", { name: "Reinstate" }).click();
  await expect(reinstate).toHaveCount(0);
  await expect(line).toContainText("In training");
  await expect(history.getByRole("listitem")).toHaveCount(3);
  await expect(history.getByRole("listitem").nth(2)).toContainText("Reinstated: revoked → in training");
  await expect(history.getByRole("listitem").nth(2)).toContainText("Reason: Investigation cleared the agent");
  await expect(line.getByRole("button", { name: `Revoke in ${PROGRAM}` })).toBeVisible();

  // Compliance also sees the agent's licenses (none yet for a new hire).
  await expect(page.getByRole("region", { name: "Licenses" })).toContainText("No license on record.");
});

test("a trainer of the agent's client reads the history but may not revoke", async ({ page, request }) => {
  const hire = await newHire(request, "fenmore-bank", "card-services", `Tao History ${unique()}`);
  await signIn(page, "trainer", `/admin/users/${hire.id}`);
  const line = page.getByRole("listitem").filter({ hasText: PROGRAM });
  await expect(line).toContainText("In training");
  await line.getByText("History").click();
  await expect(line.getByRole("list", { name: `History of ${PROGRAM}` }).getByRole("listitem")).toHaveText([/Enrolled: in training/]);
  await expect(page.getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Reinstate/ })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Licenses" })).toHaveCount(0);
});

test("compliance revokes an agent's license with a reason", async ({ page, request }) => {
  const hire = await newHire(request, "fenmore-bank", "card-services", `Lou License ${unique()}`);
  const compliance = { Authorization: `Bearer ${await token(request, "compliance")}` };
  const number = `E2E${unique()}`.slice(0, 20);
  const r = await request.post("/api/v1/licenses", {
    headers: compliance,
    data: {
      user_id: hire.id, npn: "12345678", jurisdiction: "TX", license_number: number, class: "insurance-producer",
      lines_of_authority: ["life"], resident: true, issue_date: "2026-01-02", effective_date: "2026-01-02", expiry_date: "2028-01-02",
    },
  });
  expect(r.status(), await r.text()).toBe(201);

  await signIn(page, "compliance", `/admin/users/${hire.id}`);
  const licenses = page.getByRole("region", { name: "Licenses" });
  const name = `TX insurance-producer ${number}`;
  await expect(licenses).toContainText("Pending verification");
  await licenses.getByRole("button", { name: `Revoke license ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke this license?" });
  await dialog.getByRole("button", { name: "Revoke license" }).click();
  await expect(dialog.getByRole("textbox", { name: "Reason" })).toHaveAttribute("aria-invalid", "true");
  await dialog.getByRole("textbox", { name: "Reason" }).fill("The state board revoked it");
  await dialog.getByRole("button", { name: "Revoke license" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(licenses.getByRole("status")).toContainText(`license ${name}`);
  await expect(licenses).toContainText("Revoked");
  await expect(licenses).toContainText("The state board revoked it");
  await expect(licenses.getByRole("button", { name: `Revoke license ${name}` })).toHaveCount(0);
});
