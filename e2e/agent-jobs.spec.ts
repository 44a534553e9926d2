import { join } from "node:path";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { socketFetch } from "../shared/socket-fetch";
import { promptText } from "../test/fake-anthropic";
import { deleteAgentAfterEach, fakeModelForJobs, home, LoginPage, mutate } from "./panel";

/**
 * Jobs an agent starts itself. The agent's plugin calls the panel's agent API on the socket mounted
 * into its container; this spec makes the same call on that socket from the host (the agent's own
 * tool is another spec's, with the full agent image), so the job is queued, audited and run exactly
 * as one the agent starts. Claude Code talks to the fake model API through the model gateway, as in
 * jobs.spec.ts (CLAW_EGRESS_RESOLVE maps the name to 127.0.0.1).
 */
const apiHost = "fake-anthropic.test";
const apiKey = "e2e-agent-jobs-key";

/** Several test panels share one Podman: the names are unique to this run. */
const run = Date.now().toString(36);
const coder = `e2e-aj-${run}`;
const reviewer = `e2e-ajr-${run}`;

/** Page object for an agent's Jobs tab (/agents/NAME?tab=jobs). */
class AgentJobsTab {
  constructor(
    readonly page: Page,
    readonly name: string,
  ) {}

  async open() {
    await this.page.goto(`/agents/${this.name}?tab=jobs`);
    await expect(this.page.getByRole("tab", { name: "Jobs" })).toHaveAttribute("aria-selected", "true");
  }

  quota() {
    return this.page.getByTestId("agent-job-quota");
  }

  fact(label: string) {
    return this.page.getByRole("tabpanel").locator(`dt:text-is("${label}") + dd`);
  }

  empty() {
    return this.page.getByTestId("agent-jobs-empty");
  }

  notAllowed() {
    return this.page.getByTestId("agent-jobs-not-allowed");
  }

  row(jobId: string) {
    return this.page.getByRole("table", { name: "Jobs" }).locator(`tr[data-job="${jobId}"]`);
  }
}

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 720 };

/**
 * On a phone: nothing in the page's content reaches past the screen's width, except inside a box
 * that scrolls sideways (a wide table), and the element is on the screen.
 */
async function expectOnPhoneScreen(page: Page, element: Locator) {
  await expect(element).toBeVisible();
  const overflowing = await page.locator("main").evaluate((main, width) => {
    const scrolls = (node: Element) => getComputedStyle(node).overflowX !== "visible";
    const inScroller = (node: Element) => {
      for (let up = node.parentElement; up && up !== main; up = up.parentElement)
        if (scrolls(up)) return true;
      return false;
    };
    return [...main.querySelectorAll("*")]
      .filter((node) => node.getBoundingClientRect().right > width + 0.5 && !inScroller(node))
      .map((node) => `${node.tagName.toLowerCase()}.${String(node.className).slice(0, 60)}`);
  }, phone.width);
  expect(overflowing).toEqual([]);
  const box = await element.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= phone.width, JSON.stringify(box)).toBe(true);
}

/** What the agent's claude_code_start tool sends, on the agent's API socket. */
async function startAsAgent(agent: string, prompt: string): Promise<{ jobId: string; sessionId: string }> {
  const socket = join(home, "agents", agent, "run", "api", "agent.sock");
  const response = await socketFetch(socket)("/v1/claude-code/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as { jobId: string; sessionId: string };
}

const fakeModel = fakeModelForJobs(apiKey, { agent: coder });
deleteAgentAfterEach(coder);
deleteAgentAfterEach(reviewer);

test("an agent whose policy allows no jobs says so, and how to allow them", async ({ page }) => {
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name: reviewer, template: "reviewer" });
  const tab = new AgentJobsTab(page, reviewer);
  await tab.open();
  await expect(tab.notAllowed()).toContainText(`${reviewer}'s policy allows no Claude Code jobs.`);
  await expect(tab.notAllowed()).toContainText("jobs:");
  await expect(tab.notAllowed()).toContainText(`claw policy relock ${reviewer}`);
  await expect(tab.notAllowed().getByRole("link", { name: "reviewer" })).toHaveAttribute(
    "href",
    "/templates/reviewer",
  );
  await expect(tab.quota()).toHaveCount(0);
  await expect(tab.empty()).toHaveText("No jobs: it has never started one.");
});

test("an agent's jobs tab shows its quota, then a job it starts, live, which a person can cancel", async ({
  page,
}) => {
  test.setTimeout(5 * 60_000);
  await new LoginPage(page).login();
  await mutate(page, "agents.create", { name: coder, template: "coder" });
  const tab = new AgentJobsTab(page, coder);
  await tab.open();

  // The coder template's jobs section, from the signed lock, before the agent has started any.
  await expect(tab.quota()).toHaveText("0 of 2 at a time · 0 of 20 this hour");
  await expect(tab.fact("Job template")).toHaveText("default");
  await expect(tab.fact("Workspace")).toContainText(`${coder}'s workspace`);
  await expect(tab.fact("Network")).toHaveText("none: only the model gateway");
  await expect(tab.empty()).toHaveText("No jobs yet. The agent starts them with its claude_code_start tool.");
  await expect(tab.notAllowed()).toHaveCount(0);

  // The agent API listens only while the agent runs; the job hangs on the model until cancelled.
  await mutate(page, "jobs.configure", { baseUrl: `http://${apiHost}:${fakeModel().port}`, apiKey });
  await mutate(page, "agents.start", { name: coder });
  fakeModel().script([{ stall: true }]);
  const { jobId } = await startAsAgent(coder, "Refactor the parser in /workspace");

  // It appears on the open tab without a reload, saying who started it; the quota counts it.
  const row = tab.row(jobId);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.locator(`[data-job-agent="${coder}"]`)).toHaveText(`started by agent ${coder}`);
  await expect(tab.quota()).toHaveText("1 of 2 at a time · 1 of 20 this hour");
  await expect(tab.empty()).toHaveCount(0);
  await expect(row.locator("[data-job-status]")).toHaveAttribute("data-job-status", "running", {
    timeout: 120_000,
  });
  await fakeModel().waitForMainRequests(1, 60_000);
  expect(promptText(fakeModel().mainRequests[0]?.body)).toContain("Refactor the parser in /workspace");

  // The jobs list says the same, linking to the agent; so does the job's page, with its workspace.
  await page.goto("/jobs");
  const listed = page.getByRole("table", { name: "Jobs" }).locator(`tr[data-job="${jobId}"]`);
  // The first visit may compile the page (the panel runs in development here).
  await expect(listed.locator(`[data-job-agent="${coder}"]`)).toHaveText(`started by agent ${coder}`, {
    timeout: 30_000,
  });
  await expect(listed.getByRole("link", { name: coder, exact: true })).toHaveAttribute(
    "href",
    `/agents/${coder}`,
  );

  // On a phone the page does not scroll sideways, and who started the job is on the screen.
  await page.setViewportSize(phone);
  await expectOnPhoneScreen(page, listed.getByRole("link", { name: coder, exact: true }));
  await page.setViewportSize(desktop);

  await listed.getByRole("link", { name: jobId }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  await expect(page.locator(`[data-job-agent="${coder}"]`)).toHaveText(`started by agent ${coder}`, {
    timeout: 30_000,
  });
  await expect(page.locator("[data-job-workspace]")).toHaveText(`· works on ${coder}'s workspace`);
  await expect(page.getByRole("form", { name: "Resume this session" })).toHaveCount(0);
  await expect(page.getByText(/only it continues the session/)).toBeVisible();

  // Back on the agent (on a phone): a person cancels the agent's job from its tab, after a confirmation.
  await page.setViewportSize(phone);
  await tab.open();
  await expectOnPhoneScreen(page, tab.row(jobId).getByRole("button", { name: `Cancel ${jobId}` }));
  await tab
    .row(jobId)
    .getByRole("button", { name: `Cancel ${jobId}` })
    .click();
  await page
    .getByRole("alertdialog", { name: `Confirm cancelling ${jobId}` })
    .getByRole("button", { name: `Yes, cancel ${jobId}` })
    .click();
  await expect(tab.row(jobId).locator("[data-job-status]")).toHaveAttribute("data-job-status", "cancelled", {
    timeout: 60_000,
  });
  await expect(tab.row(jobId).getByRole("button", { name: `Cancel ${jobId}` })).toHaveCount(0);
  await expect(tab.quota()).toHaveText("0 of 2 at a time · 1 of 20 this hour");
});
