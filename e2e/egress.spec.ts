import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";
import { deleteAgentAfterEach, LoginPage, mutate } from "./panel";

/** Several test panels share one Podman: the names are unique to this run. */
const run = Date.now().toString(36);
const name = `egress-${run}`;
const learner = `learn-${run}`;

/**
 * The one name the e2e panel maps to loopback by hand (CLAW_EGRESS_RESOLVE in playwright.config.ts);
 * this spec's own test server listens behind it, on a port of its own.
 */
const trustedName = "fake-anthropic.test";

deleteAgentAfterEach(name);
deleteAgentAfterEach(learner);

/** Runs `script` with Node inside the agent (the image has no curl; Node is what OpenClaw uses). */
async function nodeInAgent(page: Page, agent: string, script: string): Promise<string> {
  const result = (await mutate(page, "terminal.exec", { agent, command: ["node", "-e", script] })) as {
    stdout: string;
  };
  return result.stdout;
}

const fetchScript = (url: string) =>
  `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => console.log("reached", t), e => console.log("refused:", e.cause?.cause?.message ?? e.message))`;

async function waitRunning(page: Page) {
  await expect(page.locator("[data-agent-state]")).toHaveAttribute("data-agent-state", "running", {
    timeout: 60_000,
  });
}

test("the egress tab shows the enforced allowlist, and a denied connection arrives live and is counted", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name, template: "coder" });
  await mutate(page, "agents.start", { name });

  await page.goto(`/agents/${name}?tab=egress`);
  await expect(page.getByRole("tab", { name: "Egress" })).toHaveAttribute("aria-selected", "true");
  // The first load compiles the page in development mode: it may take a while.
  await expect(page.getByRole("note")).toContainText("Enforced: the container has no network interface", {
    timeout: 30_000,
  });
  await expect(page.getByTestId("egress-mode")).toHaveText("Deny: a host off the list is refused at once.");
  const rules = page.getByRole("table", { name: "Egress rules" });
  await expect(rules.getByRole("row", { name: /^github\.com\s+443, 80/ })).toBeVisible();
  await expect(rules.getByRole("row", { name: /\*\.githubusercontent\.com/ })).toBeVisible();
  await expect(page.getByTestId("egress-denied")).toHaveText("0");
  await expect(page.getByText("● live")).toBeVisible();

  // From inside the agent, a host that is not on the list: the proxy refuses it.
  await waitRunning(page);
  expect(await nodeInAgent(page, name, fetchScript("https://not-allowed.example/"))).toContain(
    "refused: Proxy response (403)",
  );

  // The page did not reload: the row came over the live tail, and the totals followed.
  const row = page
    .getByRole("table", { name: "Egress connections" })
    .locator('tr[data-outcome="denied"]:not([data-expected])');
  await expect(row).toContainText("not-allowed.example:443");
  await expect(row).toContainText("not in this agent's allowlist");
  await expect(page.getByTestId("egress-denied")).toHaveText("1");
  await expect(page.getByRole("table", { name: "Egress destinations" })).toContainText(
    "not-allowed.example:443",
  );

  await page.getByLabel("Denied only").check();
  await expect(row).toBeVisible();
});

test.describe("learn mode, then a proposed allowlist", () => {
  let server: Server;
  let port: number;
  test.beforeAll(async () => {
    server = createServer((req, res) => res.end(`hello-learn ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("switch to learn, reach an unlisted host, propose it and apply it with a re-lock", async ({
    page,
  }) => {
    test.setTimeout(300_000);
    const target = `${trustedName}:${port}`;
    await new LoginPage(page).login();
    await mutate(page, "agents.create", { name: learner, template: "coder" });
    await mutate(page, "agents.start", { name: learner });
    await page.goto(`/agents/${learner}?tab=egress`);
    await waitRunning(page);

    // Off the list in deny mode: refused.
    expect(await nodeInAgent(page, learner, fetchScript(`http://${target}/before`))).toContain(
      "refused: Proxy response (403)",
    );

    // Switch to learn: asked first, then flagged loudly; the running agent's proxy takes it at once.
    const modeCard = page.getByRole("region", { name: "Egress mode" });
    await modeCard.getByRole("button", { name: "learn" }).click();
    const confirm = page.getByRole("alertdialog", { name: `Switch ${learner} to learn mode` });
    await expect(confirm).toContainText("its egress proxy applies the new mode at once");
    await confirm.getByRole("button", { name: "Switch to learn and re-lock" }).click();
    await expect(page.getByTestId("egress-mode")).toHaveText(
      "⚠ Learning: every host is let through and recorded.",
    );
    await expect(modeCard).toHaveAttribute("data-mode", "learn");
    await expect(modeCard.getByRole("status")).toContainText("Mode set to learn and re-locked.");

    // Learning: the same host is let through now, and recorded as learned.
    await expect
      .poll(() => nodeInAgent(page, learner, fetchScript(`http://${target}/learned`)), { timeout: 30_000 })
      .toContain("reached hello-learn /learned");
    const learnedRow = page
      .getByRole("table", { name: "Egress connections" })
      .locator('tr[data-outcome="ok"]', { hasText: target });
    await expect(learnedRow.first()).toContainText("learned");
    await expect(learnedRow.first()).toContainText("by learn mode");

    // Propose from the last hour: the host, with its connections, as an entry to add.
    const propose = page.getByRole("region", { name: "Propose an allowlist" });
    await propose.getByLabel("From the last").selectOption("1");
    await propose.getByRole("button", { name: "Propose" }).click();
    const proposed = propose.getByRole("table", { name: "Proposed entries" });
    const entry = proposed.locator(`tr[data-entry="${target}"]`);
    await expect(entry).toContainText(`+ ${target}`);
    // Two connections: the one denied before learning, and the one learn mode let through.
    await expect(entry).toContainText(`${target} ×2`);
    await expect(entry).toContainText(`${trustedName} is mapped to 127.0.0.1 by CLAW_EGRESS_RESOLVE`);
    await expect(propose.getByLabel("Then stop learning: switch to deny mode")).toBeChecked();

    // One click: added to the agent's own template copy, re-locked, and back to deny.
    await propose.getByRole("button", { name: /^Add \d+ entr(y|ies) and re-lock$/ }).click();
    await expect(propose.getByRole("status")).toContainText(`Added ${target}`);
    await expect(propose.getByRole("status")).toContainText("re-locked");
    await expect(page.getByTestId("egress-mode")).toHaveText("Deny: a host off the list is refused at once.");
    await expect(
      page
        .getByRole("table", { name: "Egress rules" })
        .getByRole("row", { name: new RegExp(`^${trustedName.replaceAll(".", "\\.")} .*\\b${port}$`) }),
    ).toBeVisible();

    // Proposed again, the host is already allowed: nothing to add.
    await propose.getByRole("button", { name: "Propose" }).click();
    await expect(propose.getByText("Nothing to add")).toBeVisible();
    await propose.getByText(/^Not proposed/).click();
    await expect(propose.getByRole("list", { name: "Not proposed" })).toContainText(
      `already allowed by ${target}`,
    );

    // Without a restart the agent reaches the host by the new rule, in deny mode.
    await expect
      .poll(() => nodeInAgent(page, learner, fetchScript(`http://${target}/listed`)), { timeout: 30_000 })
      .toContain("reached hello-learn /listed");
    await expect(
      page
        .getByRole("table", { name: "Egress connections" })
        .locator('tr[data-outcome="ok"]', { hasText: `by ${target} ` })
        .first(),
    ).toBeVisible();

    // The change is in the audit log, with why.
    await page.goto(`/audit?agent=${learner}&category=policy`);
    await expect(
      page.getByRole("table", { name: "Audit events" }).getByText("policy_network_changed").first(),
    ).toBeVisible({ timeout: 30_000 });
  });
});
