import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, type Page } from "@playwright/test";

export type Role = "agent" | "trainer" | "supervisor" | "compliance" | "admin";

/** The demo logins e2e/serve.sh wrote from `skillgate user seed-demo`. */
export function account(role: Role): { email: string; password: string } {
  const file = fileURLToPath(new URL("./.demo-accounts.json", import.meta.url));
  const all = JSON.parse(readFileSync(file, "utf8")) as Record<Role, { email: string; password: string }>;
  if (!all[role]) throw new Error(`no demo account for ${role} in ${file}`);
  return all[role];
}

/** Signs in through the form and waits for the app shell. */
export async function signIn(page: Page, role: Role, path = "/") {
  const a = account(role);
  await page.goto(path);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** The labels of the main navigation. */
export async function navLabels(page: Page) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
}

/** A unique suffix for names this run creates. */
export function unique() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
