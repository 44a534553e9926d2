import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { home, LoginPage } from "./panel";

test.describe("templates and agent policy", () => {
  test("the templates page lists the four built-ins and shows a compiled preview", async ({ page }) => {
    await new LoginPage(page).login();
    await page.getByRole("link", { name: "Templates" }).click();
    const list = page.getByRole("list", { name: "Templates" });
    for (const name of ["coder", "devops", "reviewer", "security"])
      await expect(list.getByText(name, { exact: true })).toBeVisible();
    await list.getByText("security", { exact: true }).click();
    await expect(page.getByText("its model is a service of the panel, not the network")).toBeVisible();
    await expect(page.getByText("only through the panel's model gateway")).toBeVisible();
    await page.getByText("container-spec.json").click();
    await expect(page.getByText('"readOnlyRootfs": true')).toBeVisible();
  });

  test("create an agent with a live preview, validate it, catch a tampered file, re-lock", async ({
    page,
  }) => {
    await new LoginPage(page).login();
    await page.goto("/agents?template=reviewer");
    const form = page.getByRole("form", { name: "New agent" });
    await expect(form.getByLabel("Template")).toHaveValue("reviewer");
    await form.getByLabel("Name").fill("Bad Name");
    await expect(form.getByRole("button", { name: "Create agent" })).toBeDisabled();
    await form.getByLabel("Name").fill("e2e-reviewer");
    await expect(page.getByText("change anything in its workspace")).toBeVisible();
    await form.getByRole("button", { name: "Create agent" }).click();
    await expect(page).toHaveURL(/\/agents\/e2e-reviewer$/);

    await page.getByRole("button", { name: "Validate" }).click();
    await expect(page.getByRole("status").filter({ hasText: "match the signed lock" })).toBeVisible();

    const spec = join(home, "agents", "e2e-reviewer", "container-spec.json");
    await writeFile(spec, (await readFile(spec, "utf8")).replace('"readOnly": true', '"readOnly": false'));
    await page.getByRole("button", { name: "Validate" }).click();
    await expect(page.getByRole("status")).toContainText("artifact_tamper");
    await expect(page.getByRole("status")).toContainText("container-spec.json was changed after the lock");

    await page.getByRole("button", { name: "Re-lock" }).click();
    await page.getByRole("button", { name: "Re-lock now" }).click();
    await expect(page.getByRole("status").filter({ hasText: "match the signed lock" })).toBeVisible();
    expect(await readFile(spec, "utf8")).toContain('"readOnly": true');

    await page.goto("/audit?agent=e2e-reviewer");
    const table = page.getByRole("table", { name: "Audit events" });
    for (const action of ["agent_created", "policy_validated", "policy_relocked"])
      await expect(table.getByText(action).first()).toBeVisible();
  });
});
