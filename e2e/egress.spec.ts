import { expect, test } from "@playwright/test";
import { deleteAgentAfterEach, LoginPage, mutate } from "./panel";

/** Several test panels share one Podman: the name is unique to this run. */
const name = `egress-${Date.now().toString(36)}`;

deleteAgentAfterEach(name);

test("the egress tab shows the enforced allowlist, and a denied connection arrives live and is counted", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name, template: "coder" });
  await mutate(page, "agents.start", { name });

  await page.goto(`/agents/${name}?tab=egress`);
  await expect(page.getByRole("tab", { name: "Egress" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("note")).toContainText("Enforced: the container has no network interface");
  const rules = page.getByRole("table", { name: "Egress rules" });
  await expect(rules.getByRole("row", { name: /^api\.github\.com\s+443, 80/ })).toBeVisible();
  await expect(rules.getByRole("row", { name: /\*\.githubusercontent\.com/ })).toBeVisible();
  await expect(page.getByTestId("egress-denied")).toHaveText("0");
  await expect(page.getByText("● live")).toBeVisible();

  // From inside the agent, a host that is not on the list: the proxy refuses it.
  await expect(page.locator("[data-agent-state]")).toHaveAttribute("data-agent-state", "running", {
    timeout: 60_000,
  });
  const result = (await mutate(page, "terminal.exec", {
    agent: name,
    command: [
      "node",
      "-e",
      `fetch("https://not-allowed.example/").then(r => console.log("reached", r.status), e => console.log("refused:", e.cause?.cause?.message ?? e.message))`,
    ],
  })) as { stdout: string };
  expect(result.stdout).toContain("refused: Proxy response (403)");

  // The page did not reload: the row came over the live tail, and the totals followed.
  const row = page.getByRole("table", { name: "Egress connections" }).locator('tr[data-outcome="denied"]');
  await expect(row).toContainText("not-allowed.example:443");
  await expect(row).toContainText("not in this agent's allowlist");
  await expect(page.getByTestId("egress-denied")).toHaveText("1");
  await expect(page.getByRole("table", { name: "Egress destinations" })).toContainText(
    "not-allowed.example:443",
  );

  await page.getByLabel("Denied only").check();
  await expect(row).toBeVisible();
});
