import { expect, test } from "@playwright/test";
import { account, navLabels, signIn, unique, type Role } from "./fixtures";
import { look } from "./staff";

const NAV: Record<Role, string[]> = {
  agent: ["Home", "My training", "My certifications", "My licenses", "My account"],
  trainer: ["Home", "Content library", "Question banks", "Cohorts", "Rosters", "My account"],
  supervisor: ["Home", "Reviews", "Cohorts", "Rosters", "My account"],
  compliance: ["Home", "Licenses", "Appointments", "Continuing education", "Users", "Audit log", "My account"],
  admin: ["Home", "Question banks", "Continuing education", "Users", "Clients", "Library files", "API keys", "Webhooks", "Audit log", "My account"],
};

for (const role of Object.keys(NAV) as Role[]) {
  test(`${role} signs in and sees what the role allows`, async ({ page }) => {
    await signIn(page, role);
    expect(await navLabels(page)).toEqual(NAV[role]);
    // At 1280 px every role's menu is one line: the links all sit at the same height.
    const tops = await page.getByRole("navigation", { name: "Main" }).getByRole("link")
      .evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().top)));
    expect(new Set(tops).size, `menu rows at 1280 px: ${tops.join(", ")}`).toBe(1);
    // An agent's home leads with what to do next; a staff home with what needs attention.
    if (role === "agent") await expect(page.getByRole("region", { name: "Your next task" })).toBeVisible();
    else await expect(page.getByText(/lists? needs? your attention|Nothing needs your attention right now/)).toBeVisible();
  });
}

test("a wrong password shows the API's error", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(account("agent").email);
  await page.getByLabel("Password").fill("not-the-password-at-all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email address or password is wrong.");
  await expect(page).toHaveURL(/\/login$/);
});

test("a page the role may not use says so", async ({ page }) => {
  await signIn(page, "trainer", "/admin/api-keys");
  await expect(page.getByRole("heading", { name: "Not available" })).toBeVisible();
});

test("a deep link returns to that page after sign-in, and sign out ends the session", async ({ page }) => {
  await page.goto("/audit?action=user.");
  await expect(page).toHaveURL(/\/login$/);
  const a = account("compliance");
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/audit\?action=user\.$/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.getByLabel("Action")).toHaveValue("user.");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText("You are signed out.")).toBeVisible();
  // The refresh cookie is gone too: a reload stays signed out.
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login$/);
});

test("a reload keeps the user signed in", async ({ page }) => {
  await signIn(page, "admin", "/admin/users");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
});

test("admin creates a user with a membership, finds them, deactivates them; the audit log shows it", async ({ page }) => {
  const email = `e2e-${unique()}@example.test`;
  await signIn(page, "admin", "/admin/users");
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  // The API's field errors show next to their fields.
  await dialog.getByLabel("Email").fill("not-an-email");
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Email")).toHaveAccessibleDescription(/must be an email address/i);

  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Display name").fill("Erin Example");
  await dialog.getByLabel("Role").selectOption("agent");
  await dialog.getByLabel("Voltcrate").check();
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Created ${email}.` })).toBeVisible();

  await page.getByLabel("Search").fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Voltcrate");
  await expect(row).toContainText("Active");

  await row.getByRole("link", { name: "Erin Example" }).click();
  await page.getByRole("button", { name: "Deactivate user" }).click();
  await page.getByRole("dialog", { name: "Deactivate this user?" }).getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByText(/^Deactivated/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Reactivate user" })).toBeVisible();

  await page.getByRole("link", { name: "← Users" }).click();
  await page.getByLabel("Status").selectOption("false");
  await page.getByLabel("Search").fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Deactivated");

  // The audit log shows the creation; filtering by action narrows it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Action").fill("user.create");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=user\.create/);
  const actions = page.locator("table.audit tbody td:nth-child(4)");
  await expect(actions.first()).toHaveText("user.create");
  expect(new Set(await actions.allTextContents())).toEqual(new Set(["user.create"]));
  await page.getByRole("button", { name: /^Details of entry/ }).first().click();
  const drawer = page.getByRole("dialog", { name: /user\.create/ });
  await expect(drawer.getByLabel("After, as JSON")).toContainText(email);
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
});

test("a CSV import with one bad row shows that row's error and imports nothing", async ({ page }) => {
  const good = `e2e-csv-${unique()}@example.test`;
  await signIn(page, "admin", "/admin/users");
  await page.getByRole("button", { name: "Import CSV" }).click();
  const dialog = page.getByRole("dialog", { name: "Import users from CSV" });
  await dialog.getByLabel("CSV file").setInputFiles({
    name: "users.csv", mimeType: "text/csv",
    buffer: Buffer.from(`email,role,display_name,clients\n${good},agent,Good Row,voltcrate\nbad-row@example.test,wizard,Bad Row,voltcrate\n`),
  });
  await dialog.getByRole("button", { name: "Import" }).click();
  const alert = dialog.getByRole("alert");
  await expect(alert).toContainText("Nothing was imported.");
  const row = alert.getByRole("row").filter({ hasText: "must be one of" });
  await expect(row.getByRole("cell").nth(0)).toHaveText("3");
  await expect(row.getByRole("cell").nth(1)).toHaveText("role");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await page.getByLabel("Search").fill(good);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No users match.")).toBeVisible();
});

test("an API key's secret is shown once, then never again; revoking asks first", async ({ page }) => {
  const name = `ACD e2e ${unique()}`;
  await signIn(page, "admin", "/admin/api-keys");
  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog", { name: "New API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByLabel("The new API key");
  await expect(secret).toHaveValue(/^sk_[A-Za-z0-9]+_/);
  await expect(page.getByText("This is the only time the key is shown.")).toBeVisible();
  const key = await secret.inputValue();
  const prefix = key.split("_").slice(0, 2).join("_");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(prefix);
  await expect(row).toContainText("eligibility:read");

  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText(prefix);
  await expect(page.getByLabel("The new API key")).toHaveCount(0);
  expect(await page.content()).not.toContain(key);

  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  await page.getByRole("dialog", { name: "Revoke this key?" }).getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText("Revoked");
});

test("changing the password shows the API's field errors next to the fields", async ({ page }) => {
  await signIn(page, "supervisor", "/account");
  await page.getByLabel("Current password").fill("wrong-current-password");
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the new password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  // The API checks one thing at a time; whichever it names is shown by its field.
  const named = page.locator("input[aria-invalid=true]");
  await expect(named).toHaveCount(1);
  await expect(page.locator(".field-error")).toHaveCount(1);

  await page.getByLabel("Display name").fill("Sam Supervisor");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.locator(".who")).toContainText("Sam Supervisor");
});

test("changing the password signs out and the new password works", async ({ page, request }) => {
  const admin = account("admin");
  const login = await request.post("/api/v1/auth/login", { data: { ...admin, refresh_token_delivery: "body" } });
  const { access_token } = await login.json();
  const email = `e2e-pw-${unique()}@example.test`;
  const oldPassword = "lilac-harbor-compass-17";
  const newPassword = "saffron-meadow-kettle-42";
  const created = await request.post("/api/v1/users", {
    headers: { Authorization: `Bearer ${access_token}` },
    data: { email, role: "agent", display_name: "Pat Password", password: oldPassword },
  });
  expect(created.status()).toBe(201);

  await page.goto("/account");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(oldPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Current password").fill(oldPassword);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword + "x");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Repeat the new password")).toHaveAccessibleDescription(/must repeat the new password/i);

  await page.getByLabel("Repeat the new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Pat Password" })).toBeVisible();
});

test("an account the identity provider deleted says so where its source is shown, and offers no Reactivate", async ({ page, request }, testInfo) => {
  const login = await request.post("/api/v1/auth/login", { data: { ...account("admin"), refresh_token_delivery: "body" } });
  const { access_token } = await login.json();
  const key = await request.post("/api/v1/api-keys", {
    headers: { Authorization: `Bearer ${access_token}` },
    data: { name: `SCIM e2e ${unique()}`, scopes: ["scim:provision"] },
  });
  expect(key.status()).toBe(201);
  const scim = { Authorization: `Bearer ${(await key.json()).key}`, "Content-Type": "application/scim+json" };
  const email = `e2e-scim-${unique()}@example.test`;
  const created = await request.post("/scim/v2/Users", { headers: scim, data: { userName: email, displayName: "Dana Deleted", active: true } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  expect((await request.delete(`/scim/v2/Users/${id}`, { headers: scim })).status()).toBe(204);

  const note = /^Deleted by the identity provider on \w{3} \d{1,2}, \d{4} — it comes back when the provider creates it again\.$/;
  await signIn(page, "admin", "/admin/users");
  await page.getByLabel("Search").fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("Provisioned (SCIM)");
  await expect(row.locator(".provider-deleted")).toHaveText(note);
  await expect(row).toContainText("Deactivated");

  await row.getByRole("link", { name: "Dana Deleted" }).click();
  const access = page.locator(".panel").filter({ has: page.getByRole("heading", { name: "Access" }) });
  await expect(access.locator(".provider-deleted")).toHaveText(note);
  await expect(access).toContainText("Assign them to Skillgate again at the identity provider");
  await expect(page.getByRole("button", { name: /Reactivate/ })).toHaveCount(0);
  await look(page, testInfo, "user-provider-deleted");

  // The provider creates the account again: it is back, active, and the note is gone.
  expect((await request.post("/scim/v2/Users", { headers: scim, data: { userName: email, displayName: "Dana Deleted", active: true } })).status()).toBe(201);
  await page.reload();
  await expect(page.locator(".page-head .badge")).toHaveText("Active");
  await expect(page.locator(".provider-deleted")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Deactivate user" })).toBeVisible();
});
