import { expect, type Page, test } from "@playwright/test";
import { AgentsPage, deleteAgentAfterEach, deleteModelSecret, LoginPage } from "./panel";

/** Page object for one agent's page (/agents/NAME). */
class AgentPage {
  constructor(
    readonly page: Page,
    readonly name: string,
  ) {}

  tab(label: "Overview" | "Policy" | "Logs") {
    return this.page.getByRole("tab", { name: label });
  }

  /** A fact on the Overview, by its label. */
  fact(label: string) {
    return this.page.getByRole("tabpanel").locator(`dt:text-is("${label}") + dd`);
  }

  status() {
    return this.page.locator("[data-agent-state]");
  }

  button(label: string) {
    return this.page.getByRole("button", { name: label, exact: true });
  }
}

/** Several test panels share one Podman: the name is unique to this run. */
const name = `e2e-${Date.now().toString(36)}`;

deleteAgentAfterEach(name);

// What a new user sees: no model key yet (another spec may have set one; specs run in any order).
test.beforeAll(deleteModelSecret);

test("start an agent, watch it become ready, inspect it, follow its logs, open its Control UI, stop and delete it", async ({
  page,
  context,
}) => {
  test.setTimeout(5 * 60_000);
  await new LoginPage(page).login();
  const agents = new AgentsPage(page);
  await agents.open();
  await agents.create(name, "coder");

  await agents.open();
  const row = agents.row(name);
  await expect(row.getByText("stopped", { exact: true })).toBeVisible({ timeout: 15_000 });
  await row.getByRole("button", { name: `Start ${name}`, exact: true }).click();
  // The Gateway takes 10–20 s to come up after the container does; the list updates by itself.
  // No model key is set, so it is ready but says its chats have no model (models.spec.ts sets one).
  await expect(row.getByText("ready — no model", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(row.locator("[data-agent-state]")).toHaveAttribute("data-model-ready", "no");
  await expect(row.getByRole("link", { name: "Set anthropic-api-key →" })).toHaveAttribute(
    "href",
    "/settings?set=anthropic-api-key#secrets",
  );
  await expect(row.getByRole("button", { name: `Stop ${name}`, exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: `Start ${name}`, exact: true })).toHaveCount(0);

  await row.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/agents/${name}$`));
  const agent = new AgentPage(page, name);
  await expect(agent.tab("Overview")).toHaveAttribute("aria-selected", "true");
  await expect(agent.fact("Read-only root")).toHaveText("true");
  await expect(agent.fact("Network")).toHaveText("none");
  await expect(agent.fact("Published ports")).toHaveText("none");
  await expect(agent.fact("Privileged")).toHaveText("false");

  await agent.tab("Logs").click();
  await expect(page).toHaveURL(/\?tab=logs$/);
  await expect(page.getByRole("log").getByText(/\[gateway\] ready/)).toBeVisible({ timeout: 60_000 });

  // The Control UI opens in a new tab on the agent's own loopback port, with the panel's session.
  const gatewayPage = context.waitForEvent("response", {
    predicate: (response) =>
      response.request().resourceType() === "document" &&
      new URL(response.url()).pathname === `/agents/${name}/gateway/`,
  });
  const popupOpened = context.waitForEvent("page");
  await agent.button("Open Control UI").click();
  const popup = await popupOpened;
  await popup.waitForLoadState();
  // The Control UI takes the token from the fragment and moves on to its own route.
  expect(popup.url()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/agents/${name}/gateway/`));
  expect((await gatewayPage).status()).toBe(200);
  const html = `${await popup.title()} ${await popup.content()}`;
  expect(html).toMatch(/openclaw/i);
  await popup.close();

  await agent.button(`Stop ${name}`).click();
  await expect(agent.status()).toHaveText("stopped", { timeout: 60_000 });
  await expect(agent.button("Open Control UI")).toHaveCount(0);

  await agent.button(`Delete ${name}`).click();
  await agent.button(`Yes, delete ${name}`).click();
  await expect(page).toHaveURL(/\/agents\?deleted=/);
  await expect(page.getByRole("status").filter({ hasText: `Deleted ${name}` })).toContainText("/trash/");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
});
