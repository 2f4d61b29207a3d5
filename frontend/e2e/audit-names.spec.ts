import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { snap } from "./staff";
import { token } from "./training";

// The audit log names the users it shows (actor and subject) and links to their pages.
test("the audit log names its people and links to their pages", async ({ page, request }, testInfo) => {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const name = `Nia Audit ${unique()}`;
  const created = await request.post("/api/v1/users", {
    headers: admin, data: { email: `nia.${unique()}@e2e.test`, display_name: name, role: "agent" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const nia = await created.json();
  const me = await (await request.get("/api/v1/me", { headers: admin })).json();

  await signIn(page, "admin", `/audit?action=user.create&subject_id=${nia.id}`);
  const row = page.locator("table.audit tbody tr").first();
  await expect(row.getByRole("button", { name: name })).toBeVisible();
  await expect(row.getByRole("button", { name: me.display_name || me.email })).toBeVisible();
  await expect(row).not.toContainText(`user:${nia.id.slice(0, 8)}`);
  await expectNoSeriousA11yViolations(page, "audit log with names");
  await snap(page, testInfo, "audit-names");

  await row.getByRole("button", { name: /^Details of entry/ }).click();
  const drawer = page.getByRole("dialog", { name: /user\.create/ });
  await expect(drawer.getByRole("link", { name })).toBeVisible();
  await page.keyboard.press("Escape");

  await row.getByRole("link", { name: `${name}: user page` }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/admin/users/${nia.id}$`));
});
