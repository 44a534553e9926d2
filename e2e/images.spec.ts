import { expect, test } from "@playwright/test";
import { LoginPage } from "./panel";

test("the images page builds the agent image with live progress and lists it", async ({ page }) => {
  test.setTimeout(10 * 60_000); // a cold build takes about a minute; with the cache, seconds
  await new LoginPage(page).login();
  await page.getByRole("link", { name: "Images" }).click();
  await page.getByRole("button", { name: /^(Build|Rebuild)$/ }).click();
  const progress = page.getByRole("progressbar", { name: "Build progress" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuenow", "100", { timeout: 8 * 60_000 });
  await expect(page.getByText(/^(up to date|succeeded)$/)).toBeVisible();
  const images = page.getByRole("table", { name: "Images" });
  await expect(images.getByText("localhost/claw-openclaw-agent:latest")).toBeVisible();
  await expect(images.getByText(/^localhost\/claw-base:[0-9a-f]{16}$/)).toBeVisible();
});
