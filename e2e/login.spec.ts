import { expect, test } from "@playwright/test";
import { cookieName, LoginPage, loginCode, origin } from "./panel";

test.describe("login", () => {
  test("a one-time login link lands on the home page, with a locked-down cookie", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const login = new LoginPage(page);
    await login.openWithToken(await loginCode());

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

  test("the code leaves the address bar and the history", async ({ page }) => {
    await new LoginPage(page).openWithToken(await loginCode());
    await expect(page).toHaveURL(`${origin}/`);
    await page.goBack();
    expect(page.url()).not.toContain("code=");
  });

  test("a login link works once: opened again, it is refused and gives no session", async ({ browser }) => {
    const code = await loginCode();
    const first = await browser.newContext();
    const firstPage = await first.newPage();
    await new LoginPage(firstPage).openWithToken(code);
    await expect(firstPage.getByRole("heading", { name: "Overview" })).toBeVisible();
    await first.close();

    const second = await browser.newContext();
    const page = await second.newPage();
    const login = new LoginPage(page);
    await login.openWithToken(code);
    await expect(login.error()).toContainText("claw login-url");
    await expect(page).toHaveURL(`${origin}/login`);
    expect((await second.cookies()).find((c) => c.name === cookieName)).toBeUndefined();
    await second.close();
  });

  test("a link in the old form, with a long-lived token, is refused", async ({ page }) => {
    const login = new LoginPage(page);
    await page.goto(`/login#token=${"T".repeat(43)}`);
    await expect(login.error()).toContainText("not valid");
    await expect(page).toHaveURL(`${origin}/login`);
  });

  test("a wrong code is refused and gives no session", async ({ page }) => {
    const login = new LoginPage(page);
    await login.openWithToken("not-the-code-0123456789-abcdefghijklmnopqrstuvwxyz");
    await expect(login.error()).toContainText("not valid");
    await expect(page).toHaveURL(`${origin}/login`);
    expect((await page.context().cookies()).find((c) => c.name === cookieName)).toBeUndefined();
    await page.goto("/");
    await expect(page).toHaveURL(`${origin}/login`);
  });

  test("the login URL opened in a tab that already shows the login page logs in", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Log in to the panel" })).toBeVisible();
    await page.goto(`/login#code=${await loginCode()}`); // same document: only the hash changes
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("pasting the whole login link works too", async ({ page }) => {
    await new LoginPage(page).loginWithPaste(`${origin}/login#code=${await loginCode()}`);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("a same-named cookie planted with a narrower path does not log the user out", async ({ page }) => {
    await new LoginPage(page).login();
    // What a script on another port of this host (an agent's Control UI) can do: cookies ignore ports,
    // and the browser sends the narrower-path cookie first.
    await page
      .context()
      .addCookies([{ name: cookieName, value: "planted", domain: "127.0.0.1", path: "/agents" }]);
    expect((await page.context().cookies()).filter((c) => c.name === cookieName)).toHaveLength(2);
    // The page load under /agents carries both values, the planted one first.
    await page.goto("/agents");
    await expect(page).toHaveURL(`${origin}/agents`);
    await expect(page.getByRole("heading", { name: "Agents", level: 1 })).toBeVisible();
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
