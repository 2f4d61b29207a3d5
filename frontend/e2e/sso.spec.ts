// Sign-in through the identity provider's own login page: the test OpenID
// provider (server/cmd/testidp, started by playwright.config.ts on another
// port, so another origin) with the users of e2e/testidp-users.json.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { navLabels } from "./fixtures";
import { look, snap } from "./staff";
import { token } from "./training";

interface ProviderUser { username: string; password: string; email: string }
const providerUsers = JSON.parse(readFileSync(fileURLToPath(new URL("./testidp-users.json", import.meta.url)), "utf8")) as ProviderUser[];
const atProvider = (username: string) => {
  const u = providerUsers.find((p) => p.username === username);
  if (!u) throw new Error(`no ${username} in e2e/testidp-users.json`);
  return u;
};

const skillgateOrigin = () => new URL(test.info().project.use.baseURL!).origin;

/** From Skillgate's login page to the provider's: returns once the provider's form shows. */
async function toProvider(page: Page) {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Skillgate Test ID" }).click();
  await expect(page.getByRole("heading", { name: "Skillgate Test ID" })).toBeVisible();
  // The provider's page is another origin: Skillgate never sees the password.
  expect(new URL(page.url()).origin).not.toBe(skillgateOrigin());
}

async function signInAtProvider(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a supervisor signs in through the provider's login page and lands on their home", async ({ page, request }, testInfo) => {
  const sam = atProvider("sam.sso");
  // The account an admin made before the center turned the provider on; the first sign-in links it by its verified address.
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const created = await request.post("/api/v1/users", {
    headers: admin, data: { email: sam.email, display_name: "Sam Singh", role: "supervisor", password: "sam-password-in-skillgate-2026" },
  });
  expect(created.status(), await created.text()).toBe(201);

  await toProvider(page);
  // A wrong password is the provider's business: its own page says so, and Skillgate sees nothing.
  await signInAtProvider(page, sam.username, "not-sams-password");
  await expect(page.getByRole("alert")).toHaveText("The username or password is wrong.");
  await snap(page, testInfo, "sso-provider-login");

  await signInAtProvider(page, sam.username, sam.password);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(skillgateOrigin());
  // Skillgate's account, not the provider's name for it: Sam Singh, a supervisor, on the supervisor's home.
  await expect(page.getByText("Sam Singh · supervisor")).toBeVisible();
  expect(await navLabels(page)).toEqual(["Home", "Reviews", "Cohorts", "Rosters", "My account"]);
  await expect(page.getByText(/lists? needs? your attention|Nothing needs your attention right now/)).toBeVisible();
  await snap(page, testInfo, "sso-signed-in");

  // The session is Skillgate's own: a reload keeps it (the refresh cookie), sign-out ends it.
  await page.reload();
  await expect(page.getByText("Sam Singh · supervisor")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The admin's users page says where the account now comes from.
  const { users } = await (await request.get(`/api/v1/users?q=${encodeURIComponent(sam.email)}`, { headers: admin })).json();
  expect((users as { email: string; source: string }[]).find((u) => u.email === sam.email)?.source).toBe("oidc");
});

test("someone the provider knows but Skillgate does not is told so on the login page", async ({ page }, testInfo) => {
  const una = atProvider("una.known");
  await toProvider(page);
  await signInAtProvider(page, una.username, una.password);
  await expect(page).toHaveURL(/\/login\?sso_error=not_linked$/);
  await expect(page.getByRole("heading", { name: "Sign in to Skillgate" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText(
    "There is no Skillgate account for you yet. Ask your administrator to create one with your work email address.",
  );
  // Not signed in, and the ways in are still there.
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in with Skillgate Test ID" })).toBeVisible();
  await look(page, testInfo, "sso-not-linked");
});
