import { expect, type Page, test } from "@playwright/test";
import { LoginPage } from "./panel";

/** Opens the viewer and waits until its live tail is connected (so the page is hydrated). */
async function openAudit(page: Page) {
  await page.goto("/audit");
  await expect(page.getByRole("button", { name: "● Live" })).toBeVisible();
}

test.describe("audit viewer", () => {
  test("a login shows up in the viewer and, live, in an open viewer", async ({ page, browser }) => {
    await new LoginPage(page).login();
    await page.getByRole("link", { name: "Audit" }).click();
    const table = page.getByRole("table", { name: "Audit events" });
    await expect(table.getByText("login_succeeded").first()).toBeVisible();
    await expect(page.getByRole("button", { name: "● Live" })).toBeVisible();

    // Another browser fails to log in while the viewer is open: the row arrives on its own.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await new LoginPage(otherPage).openWithToken("wrong-token-for-the-audit-test-0123456789abcdef");
    await expect(new LoginPage(otherPage).error()).toBeVisible();
    await other.close();
    const liveRow = page.locator('tr[data-live="true"]').filter({ hasText: "login_failed" });
    await expect(liveRow).toBeVisible({ timeout: 10_000 });
    await expect(liveRow).toContainText("panel:anonymous");
    await expect(liveRow).toContainText("denied");
  });

  test("filters narrow the table and live in the URL", async ({ page }) => {
    await new LoginPage(page).login();
    await openAudit(page);
    await page.getByLabel("Outcome").selectOption("denied");
    await expect(page).toHaveURL(/outcome=denied/);
    const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    for (const outcome of await rows.locator("td:nth-child(6)").allInnerTexts())
      expect(outcome.trim()).toBe("denied");
    await page.getByLabel("Text in details").fill("no-such-text-anywhere");
    await page.getByLabel("Text in details").press("Enter");
    await expect(page.getByText("No events match these filters.")).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/audit$/);
  });

  test("an event opens with its hashes and covering checkpoint; verify says intact", async ({ page }) => {
    await new LoginPage(page).login();
    // Event 1 is the panel's start; other specs may have pushed it off the first page since.
    await page.goto("/audit?action=panel_started");
    await page.getByRole("button", { name: "Open event 1", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Event #1" });
    await expect(dialog.getByText("panel/panel_started")).toBeVisible();
    await expect(dialog.getByText(/^[0-9a-f]{64}$/).first()).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText(/The log is intact: \d+ events/)).toBeVisible();
  });

  test("the export button downloads JSONL", async ({ page }) => {
    await new LoginPage(page).login();
    await openAudit(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export JSONL" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^claw-audit-.*\.jsonl$/);
    const path = await download.path();
    const { readFile } = await import("node:fs/promises");
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ type: "header" });
    expect(lines.some((line) => line.includes('"action":"login_succeeded"'))).toBe(true);
  });
});
