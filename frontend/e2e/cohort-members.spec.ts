import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./axe";
import { signIn, unique } from "./fixtures";
import { newHire, snap } from "./staff";
import { token } from "./training";

// A trainer removes a member from a cohort after confirming; the other member stays.
test("a trainer removes a cohort member after a confirmation", async ({ page, request }, testInfo) => {
  const rae = await newHire(request, "cinder-valley-electric", "outages", "Rae Leaving");
  const tom = await newHire(request, "cinder-valley-electric", "outages", "Tom Staying");
  const trainer = { Authorization: `Bearer ${await token(request, "trainer")}` };
  const me = await (await request.get("/api/v1/me", { headers: trainer })).json();
  const name = `Members ${unique()}`;
  const c = await request.post("/api/v1/cohorts", {
    headers: trainer, data: { name, start_date: "2026-12-07", trainer_id: me.id, program_ids: [rae.programID] },
  });
  expect(c.status(), await c.text()).toBe(201);
  const id = (await c.json()).id as string;
  for (const h of [rae, tom]) {
    const m = await request.post(`/api/v1/cohorts/${id}/members`, { headers: trainer, data: { user_id: h.id } });
    expect(m.status(), await m.text()).toBe(201);
  }

  await signIn(page, "trainer", `/cohorts/${id}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await page.getByText("Members (2)").click();
  await page.getByRole("button", { name: "Remove Rae Leaving" }).click();
  const dialog = page.getByRole("dialog", { name: "Remove this member?" });
  await expect(dialog).toContainText("Rae Leaving");
  await expectNoSeriousA11yViolations(page, "remove member dialog");
  await snap(page, testInfo, "trainer-cohort-remove-member");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Remove Rae Leaving" })).toBeFocused();

  await page.getByRole("button", { name: "Remove Rae Leaving" }).click();
  await dialog.getByRole("button", { name: "Remove from cohort" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Removed Rae Leaving from the cohort." })).toBeVisible();
  await expect(page.getByText("Members (1)")).toBeVisible();
  await expect(page.getByRole("button", { name: "Remove Tom Staying" })).toBeVisible();
  const matrix = page.getByRole("table", { name: /members by task/ });
  await expect(matrix.getByRole("rowheader", { name: /Tom Staying/ })).toBeVisible();
  await expect(matrix.getByRole("rowheader", { name: /Rae Leaving/ })).toHaveCount(0);
  // The API agrees: one member left.
  const after = await (await request.get(`/api/v1/cohorts/${id}`, { headers: trainer })).json();
  expect((after.members as { user_id: string }[]).map((m) => m.user_id)).toEqual([tom.id]);
  await expectNoSeriousA11yViolations(page, "cohort after removal");

  await page.setViewportSize({ width: 390, height: 844 });
  // The charts follow the new width once their resize observer fires.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByText("Members (1)").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "screenshots/trainer-cohort-members-390.png" });
});
