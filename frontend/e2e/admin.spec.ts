import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { signIn, unique } from "./fixtures";
import { snap } from "./staff";

// A receiver for the webhook's deliveries, answering 204 to each.
let receiver: Server;
let received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let hookURL = "";

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookURL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/skillgate/${unique()}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

test("an admin creates a webhook and sees its secret once, pings it, rotates the secret and reads the log", async ({ page }, testInfo) => {
  received = [];
  await signIn(page, "admin", "/admin/webhooks");
  await page.getByRole("button", { name: "New webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "New webhook" });
  // No event chosen: the API's error sits at the events.
  await dialog.getByLabel(/eligibility\.changed/).uncheck();
  await dialog.getByLabel("URL").fill(hookURL);
  await dialog.getByRole("button", { name: "Create webhook" }).click();
  await expect(dialog.getByRole("group", { name: "Events" })).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel(/eligibility\.changed/).check();
  await dialog.getByLabel(/license\.changed/).check();
  await dialog.getByLabel("Description").fill("The e2e receiver");
  await dialog.getByRole("button", { name: "Create webhook" }).click();

  const secretBox = page.getByLabel("The new signing secret");
  await expect(secretBox).toHaveValue(/^whsec_/);
  await expect(page.getByText("This is the only time the secret is shown.")).toBeVisible();
  const secret = await secretBox.inputValue();
  await snap(page, testInfo, "admin-webhook-secret");
  await page.getByRole("button", { name: "I have stored the signing secret" }).click();
  await expect(page.getByLabel("The new signing secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await page.reload();
  expect(await page.content()).not.toContain(secret);

  // Open it and ping the receiver: the delivery arrives, signed, and is in the log.
  await page.getByRole("link", { name: hookURL }).click();
  await expect(page.getByRole("heading", { name: hookURL })).toBeVisible();
  await page.getByRole("button", { name: "Send ping" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Ping delivered (HTTP 204)." })).toBeVisible();
  expect(received).toHaveLength(1);
  expect(String(received[0].headers["skillgate-signature"])).toMatch(/^v1=[0-9a-f]{64}$/);
  const log = page.getByRole("table", { name: "Deliveries, newest first" });
  await expect(log.getByRole("row").filter({ hasText: "ping" })).toContainText("succeeded");
  await page.getByLabel("Status").selectOption("failed");
  await expect(page.getByText("No deliveries with status failed.")).toBeVisible();
  await page.getByLabel("Status").selectOption("succeeded");
  await expect(log.getByRole("row").filter({ hasText: "ping" })).toBeVisible();
  await snap(page, testInfo, "admin-webhook-detail");

  // Rotating shows the new secret once.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByRole("dialog", { name: "Rotate the signing secret?" }).getByRole("button", { name: "Rotate secret" }).click();
  const rotated = await page.getByLabel("The new signing secret").inputValue();
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  await page.getByRole("button", { name: "I have stored the signing secret" }).click();

  // Edit: pause it.
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const edit = page.getByRole("dialog", { name: "Edit webhook" });
  await expect(edit).toBeVisible();
  await edit.getByRole("checkbox", { name: /Active/ }).uncheck();
  await edit.getByRole("button", { name: "Save webhook" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved the webhook." })).toBeVisible();
  await expect(page.locator("dl.facts")).toContainText("Paused");
});

test("an admin creates and edits a client; a malformed slug is refused at the slug", async ({ page }, testInfo) => {
  const slug = `e2e-${unique()}`;
  await signIn(page, "admin", "/admin/clients");
  await page.getByRole("button", { name: "New client" }).click();
  const dialog = page.getByRole("dialog", { name: "New client" });
  await dialog.getByLabel("Slug").fill("Not A Slug");
  await dialog.getByLabel("Name").fill("Northwind Water");
  await dialog.getByRole("button", { name: "Create client" }).click();
  await expect(dialog.getByLabel("Slug")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Slug")).toBeFocused();
  await dialog.getByLabel("Slug").fill(slug);
  await dialog.getByLabel("Industry").fill("Utilities");
  await dialog.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Created Northwind Water." })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: slug });
  await row.getByRole("button", { name: "Edit Northwind Water" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Northwind Water" });
  await edit.getByLabel("Description").fill("Residential water and sewer.");
  await edit.getByRole("button", { name: "Save client" }).click();
  await expect(page.getByRole("row").filter({ hasText: slug })).toContainText("Residential water and sewer.");
  await snap(page, testInfo, "admin-clients");
});
