import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";

// e2e/serve.sh runs the server with ACCESS_TOKEN_TTL=20s.
test("a form survives an expired access token: the client refreshes and sends it", async ({ page }) => {
  test.setTimeout(60_000);
  const email = `e2e-ttl-${unique()}@example.test`;
  await signIn(page, "admin", "/admin/users");
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Display name").fill("Token Tester");
  // Outlive the access token, then submit.
  await page.waitForTimeout(21_000);
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh") && r.status() === 200);
  await dialog.getByRole("button", { name: "Create user" }).click();
  await refreshed;
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Created ${email}.` })).toBeVisible();
});

test("a request refused with 401 is refreshed and retried with the same body", async ({ page }) => {
  const name = `Retry ${unique()}`;
  await signIn(page, "admin", "/admin/api-keys");
  // The server refuses the first attempt as it would an expired token.
  let first = true;
  await page.route("**/api/v1/api-keys", async (route) => {
    if (route.request().method() === "POST" && first) {
      first = false;
      await route.continue({ headers: { ...route.request().headers(), authorization: "Bearer expired" } });
      return;
    }
    await route.continue();
  });
  await page.getByRole("button", { name: "New API key" }).click();
  await page.getByRole("dialog", { name: "New API key" }).getByLabel("Name").fill(name);
  const retried = page.waitForRequest((r) => r.url().endsWith("/api/v1/api-keys") && r.method() === "POST" && !first);
  await page.getByRole("button", { name: "Create key" }).click();
  expect((await retried).postDataJSON()).toMatchObject({ name });
  await expect(page.getByLabel("The new API key")).toHaveValue(/^sk_/);
});

test("keyboard only: sign in and create a user with Tab and Enter; the dialog traps and returns focus", async ({ page }) => {
  const email = `e2e-kbd-${unique()}@example.test`;
  const { account } = await import("./fixtures");
  const a = account("admin");
  await page.goto("/admin/users");
  await page.getByLabel("Email").focus();
  await page.keyboard.type(a.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(a.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();

  const newUser = page.getByRole("button", { name: "New user" });
  await newUser.focus();
  // The focused button shows a visible outline.
  expect(await newUser.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe("none");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "New user" });
  await expect(dialog.getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(email);
  // Shift+Tab twice from the email wraps to the last button: focus stays in the dialog.
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  await expect(dialog.getByRole("button", { name: "Create user" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(newUser).toBeFocused();

  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await page.keyboard.type(email);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Created ${email}.` })).toBeVisible();
});
