import { expect, test } from "@playwright/test";

test("a deep link while signed out leads to the sign-in form", async ({ page }) => {
  await page.goto("/training/some/deep/link");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to Skillgate" })).toBeVisible();
  // The form is usable from the keyboard alone.
  await page.getByLabel("Email").focus();
  await page.keyboard.type("nobody@example.com");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
});

test("the server sends the app's security headers", async ({ request }) => {
  const res = await request.get("/login");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-security-policy"]).toContain("script-src 'self'");
  expect(res.headers()["x-frame-options"]).toBe("DENY");
});
