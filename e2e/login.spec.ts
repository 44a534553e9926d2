import { expect, test } from "@playwright/test";
import { cookieName, LoginPage, origin, panelToken } from "./panel";

test.describe("login", () => {
  test("the login URL from the token file lands on the home page, with a locked-down cookie", async ({
    page,
  }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const login = new LoginPage(page);
    await login.openWithToken(panelToken());

    await expect(page).toHaveURL(`${origin}/`);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    // Podman runs on this machine: the home page shows it connected, live.
    await expect(page.getByText("connected")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("● live")).toBeVisible();

    const cookie = (await page.context().cookies()).find((c) => c.name === cookieName);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(await page.evaluate(() => document.cookie)).not.toContain(cookieName);
    expect(violations).toEqual([]);
  });

  test("the token leaves the address bar and the history", async ({ page }) => {
    await new LoginPage(page).openWithToken(panelToken());
    await expect(page).toHaveURL(`${origin}/`);
    await page.goBack();
    expect(page.url()).not.toContain("token=");
  });

  test("a wrong token is refused and gives no session", async ({ page }) => {
    const login = new LoginPage(page);
    await login.openWithToken("not-the-token-0123456789-abcdefghijklmnopqrstuvwxyz");
    await expect(login.error()).toContainText("not the panel's token");
    await expect(page).toHaveURL(`${origin}/login`);
    expect((await page.context().cookies()).find((c) => c.name === cookieName)).toBeUndefined();
    await page.goto("/");
    await expect(page).toHaveURL(`${origin}/login`);
  });

  test("the login URL opened in a tab that already shows the login page logs in", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Log in to the panel" })).toBeVisible();
    await page.goto(`/login#token=${panelToken()}`); // same document: only the hash changes
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("pasting the whole login URL works too", async ({ page }) => {
    await new LoginPage(page).loginWithPaste(`${origin}/login#token=${panelToken()}`);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("logout ends the session", async ({ page }) => {
    await new LoginPage(page).login();
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByText("You are logged out.")).toBeVisible();
    await page.goto("/doctor");
    await expect(page).toHaveURL(`${origin}/login`);
  });

  test("the doctor page lists every check with a verdict", async ({ page }) => {
    await new LoginPage(page).login();
    await page.getByRole("link", { name: "Doctor" }).click();
    const checks = page.getByRole("list", { name: "Doctor checks" }).getByRole("listitem");
    await expect(checks.first()).toBeVisible({ timeout: 30_000 });
    expect(await checks.count()).toBeGreaterThanOrEqual(6);
    await expect(page.locator('[data-check][data-status="fail"]')).toHaveCount(0);
  });

  test("the theme can be switched and is remembered", async ({ page }) => {
    await new LoginPage(page).login();
    await page.getByRole("button", { name: "Dark" }).click();
    await expect(page.locator("html")).toHaveClass(/dark/);
    await page.reload();
    await expect(page.locator("html")).toHaveClass(/dark/);
    await page.getByRole("button", { name: "Light" }).click();
    await expect(page.locator("html")).not.toHaveClass(/dark/);
  });
});

test("a session revoked on the Sessions page is logged out", async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const firstPage = await first.newPage();
  const secondPage = await second.newPage();
  await new LoginPage(firstPage).login();
  await new LoginPage(secondPage).login();

  await firstPage.getByRole("link", { name: "Sessions" }).click();
  const others = firstPage.getByRole("listitem").filter({ hasNotText: "this browser" });
  await expect(firstPage.getByText("this browser")).toBeVisible();
  const count = await others.count();
  expect(count).toBeGreaterThanOrEqual(1);
  for (let i = 0; i < count; i++) {
    await others.first().getByRole("button", { name: "Revoke" }).click();
    await expect(others).toHaveCount(count - i - 1);
  }

  await secondPage.goto("/");
  await expect(secondPage).toHaveURL(`${origin}/login`);
  await firstPage.goto("/");
  await expect(firstPage.getByRole("heading", { name: "Overview" })).toBeVisible();
  await first.close();
  await second.close();
});
