import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { deleteAgentAfterEach, LoginPage, mutate, origin } from "./panel";

/**
 * A real agent in `ask` mode reaches a host off its allowlist: a test server on loopback, under a
 * name the panel's egress resolver trusts (playwright.config.ts maps fake-anthropic.test to
 * 127.0.0.1; the agent's allowlist does not have it). The connection waits while a person answers
 * in the browser.
 */
const name = `appr-${Date.now().toString(36)}`;
const host = "fake-anthropic.test";
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 720 };

deleteAgentAfterEach(name);

let server: Server;
let port: number;
test.beforeAll(async () => {
  server = createServer((req, res) => res.end(`hello-approval ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
test.afterAll(() => {
  server?.close();
});

/**
 * A plain-HTTP request from inside the agent through its proxy (127.0.0.1:3128): the proxy sees the
 * method and path. The image has no curl; Node is what OpenClaw runs on. Not awaited here: it
 * waits for the answer, and resolves with what the agent read.
 */
function fetchFromAgent(page: Page, path: string): Promise<string> {
  const script = `const s = require("net").connect(3128, "127.0.0.1", () => s.write("GET http://${host}:${port}${path} HTTP/1.1\\r\\nHost: ${host}:${port}\\r\\nConnection: close\\r\\n\\r\\n"));
    let buf = ""; s.on("data", d => buf += d); s.on("end", () => console.log(buf)); s.on("error", e => console.log("error:", e.message));`;
  return page.request
    .post("/api/trpc/terminal.exec", {
      headers: { "x-claw-csrf": "1", Origin: origin },
      data: { agent: name, command: ["node", "-e", script] },
      timeout: 90_000,
    })
    .then(async (response) => {
      expect(response.ok(), await response.text()).toBe(true);
      const body = (await response.json()) as { result: { data: { stdout: string } } };
      return body.result.data.stdout;
    });
}

/**
 * Nothing in the page's content reaches past a phone's screen, except inside a box that scrolls
 * sideways (a wide table), and the element is on the screen.
 */
async function expectFitsPhone(page: Page, element: Locator) {
  await expect(element).toBeVisible();
  const overflowing = await page.locator("main").evaluate((main, width) => {
    const inScroller = (node: Element) => {
      for (let up = node.parentElement; up && up !== main; up = up.parentElement)
        if (getComputedStyle(up).overflowX !== "visible") return true;
      return false;
    };
    return [...main.querySelectorAll("*")]
      .filter((node) => node.getBoundingClientRect().right > width + 1 && !inScroller(node))
      .map((node) => node.outerHTML.slice(0, 120));
  }, phone.width);
  expect(overflowing).toEqual([]);
  // Nor does the page itself scroll sideways (the header's navigation scrolls in its own row).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
  const box = await element.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= phone.width).toBe(true);
}

test("a request in ask mode waits for a person: a toast answers it, the page allows uses, revokes and denies", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await new LoginPage(page).login();
  // Opened first, while nothing waits: the panel may compile the page on its first visit.
  await page.goto("/approvals");
  await expect(page.getByText("Nothing waiting. Agents in ask mode raise requests here.")).toBeVisible({
    timeout: 120_000,
  });
  await mutate(page, "agents.create", { name, template: "coder" });
  await mutate(page, "approvals.setMode", { agent: name, mode: "ask" });
  await mutate(page, "agents.start", { name });
  await page.goto(`/agents/${name}`);
  await expect(page.locator("[data-agent-state]")).toHaveAttribute("data-agent-state", "running", {
    timeout: 60_000,
  });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Approvals", exact: true })).toBeVisible();

  // 1. The toast: it names the agent, the host and the request line; Allow once lets that very connection through.
  const first = fetchFromAgent(page, "/first");
  const toast = page.locator("[data-approval-toast]");
  await expect(toast).toContainText(`Agent ${name} wants to reach ${host}:${port}`, { timeout: 30_000 });
  await expect(toast).toContainText("GET /first");
  await expect(nav.getByRole("link", { name: "Approvals, 1 waiting" })).toBeVisible();
  await toast.getByRole("button", { name: "Allow once" }).focus();
  await page.keyboard.press("Enter");
  await expect(toast).toHaveCount(0);
  expect(await first).toContain(`hello-approval /first`);
  await expect(nav.getByRole("link", { name: "Approvals", exact: true })).toBeVisible();

  // 2. The page: the next connection asks again; allowed for 2 uses, the held one takes the first.
  await nav.getByRole("link", { name: "Approvals", exact: true }).click();
  await expect(page).toHaveURL(/\/approvals$/, { timeout: 30_000 });
  await expect(page.getByText("Nothing waiting. Agents in ask mode raise requests here.")).toBeVisible();
  const second = fetchFromAgent(page, "/second");
  const waiting = page.locator("[data-approval]");
  await expect(waiting).toContainText(`${host}:${port}`, { timeout: 30_000 });
  await expect(waiting).toContainText("GET /second");
  await expect(waiting).toContainText("1 connection waiting");
  await expect(waiting.locator("[data-approval-countdown]")).toContainText(/denied by itself in \d+ s/);
  // Only an agent's request can be allowed always, after a confirmation.
  await waiting.getByRole("button", { name: "Always…" }).click();
  await expect(
    page.getByRole("alertdialog", { name: `Confirm allowing ${host}:${port} always` }),
  ).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();

  await page.setViewportSize(phone);
  await expectFitsPhone(page, waiting.getByRole("button", { name: "Allow once" }));
  await page.setViewportSize(desktop);

  const uses = waiting.getByRole("form", { name: /for some uses/ });
  await uses.getByLabel("Uses", { exact: true }).fill("0");
  await uses.getByRole("button", { name: "Allow uses" }).click();
  await expect(waiting.getByRole("alert")).toHaveText("Uses: a whole number from 1 to 10000.");
  await uses.getByLabel("Uses", { exact: true }).fill("2");
  await uses.getByRole("button", { name: "Allow 2 uses" }).click();
  expect(await second).toContain("hello-approval /second");
  await expect(page.getByText("Nothing waiting. Agents in ask mode raise requests here.")).toBeVisible();

  const grant = page.getByRole("table", { name: "Grants" }).locator("tr[data-grant]");
  await expect(grant).toContainText(`${host}:${port}`);
  await expect(grant.locator("[data-grant-left]")).toHaveText("1 use left");
  await page.setViewportSize(phone);
  await expectFitsPhone(page, grant.getByRole("button", { name: /^Revoke gr-/ }));
  await page.setViewportSize(desktop);
  await grant.getByRole("button", { name: /^Revoke gr-/ }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Revoked gr-/ })).toBeVisible();
  await expect(grant).toHaveCount(0);

  // 3. Revoked, the next one asks again: denied with a reason, which the agent reads.
  const third = fetchFromAgent(page, "/third");
  await expect(waiting).toContainText("GET /third", { timeout: 30_000 });
  const deny = waiting.getByRole("form", { name: /^Deny ap-/ });
  await deny.getByLabel("Reason the agent sees (optional)").fill("use the mirror instead");
  await deny.getByRole("button", { name: "Deny" }).click();
  const denied = await third;
  expect(denied).toContain("403 Forbidden");
  expect(denied).toContain("use the mirror instead");

  // 4. The history: who answered, how and where; filtered by status.
  const history = page.getByRole("table", { name: "Approval history" });
  const rows = history.locator("tr[data-approval-history]");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("denied: use the mirror instead");
  await expect(rows.nth(1)).toContainText("allowed for 2 uses");
  await expect(rows.nth(2)).toContainText("allowed once");
  await expect(rows.nth(2)).toContainText("GET /first");
  await expect(rows.nth(2)).toContainText("in the panel");
  await page.getByLabel("Status", { exact: true }).selectOption("denied");
  await expect(page).toHaveURL(/\/approvals\?status=denied$/);
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveAttribute("data-status", "denied");
  await page.getByLabel("Agent", { exact: true }).selectOption(name);
  await expect(rows).toHaveCount(1);

  await page.setViewportSize(phone);
  await expectFitsPhone(page, page.getByRole("heading", { name: "Approvals" }));
});
