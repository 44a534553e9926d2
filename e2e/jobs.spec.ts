import { expect, type Page, test, type WebSocketRoute } from "@playwright/test";
import { conversation, promptText, toolResults, toolResultText } from "../test/fake-anthropic";
import { fakeModelForJobs, LoginPage, mutate } from "./panel";

/**
 * The job's container reaches the model only through the panel's model gateway, which adds the key
 * and resolves this name to 127.0.0.1 because the test panel runs with
 * CLAW_EGRESS_RESOLVE=fake-anthropic.test=127.0.0.1 (playwright.config.ts). The real Claude Code
 * talks to the fake model API there.
 */
const apiHost = "fake-anthropic.test";
const apiKey = "e2e-jobs-key";

/** Page object for a job's page: its status badge, its events as they arrive, and its forms. */
class JobPage {
  constructor(readonly page: Page) {}

  id() {
    return /\/jobs\/(j-[a-z2-7]{10})$/.exec(new URL(this.page.url()).pathname)?.[1] ?? "";
  }

  status() {
    return this.page.locator("[data-job-status]").first();
  }

  async waitForStatus(status: string | RegExp, timeout = 90_000) {
    await expect(this.status()).toHaveAttribute("data-job-status", status, { timeout });
  }

  events() {
    return this.page.getByRole("log", { name: "Job events" }).locator("[data-event-index]");
  }

  event(type: string) {
    return this.page.getByRole("log", { name: "Job events" }).locator(`[data-event-type="${type}"]`);
  }

  /** The indexes of the events shown, in page order. */
  async indexes(): Promise<number[]> {
    return (
      await this.events().evaluateAll((rows) => rows.map((row) => row.getAttribute("data-event-index")))
    ).map(Number);
  }

  fact(label: string) {
    return this.page.locator("dt", { hasText: label }).locator("xpath=following-sibling::dd[1]");
  }

  async resume(prompt: string) {
    const form = this.page.getByRole("form", { name: "Resume this session" });
    await form.getByLabel(/Next prompt in/).fill(prompt);
    await form.getByRole("button", { name: "Resume session" }).click();
  }
}

const fakeModel = fakeModelForJobs(apiKey);

async function setUp(page: Page) {
  await new LoginPage(page).login();
  await mutate(page, "jobs.configure", { baseUrl: `http://${apiHost}:${fakeModel().port}`, apiKey });
}

/** Starts a job from the form on /jobs (Ctrl+Enter) and waits for its page. */
async function startFromForm(page: Page, prompt: string): Promise<JobPage> {
  await page.goto("/jobs");
  const form = page.getByRole("form", { name: "New job" });
  await expect(form.getByLabel("Session")).toHaveValue("new");
  await form.getByLabel("Prompt").fill(prompt);
  await form.getByLabel("Prompt").press("Control+Enter");
  await page.waitForURL(/\/jobs\/j-[a-z2-7]{10}$/);
  return new JobPage(page);
}

test("a job started from the form shows its tool call and answer live, and its session resumes", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await setUp(page);
  await page.goto("/jobs/settings");
  await expect(page.getByRole("form", { name: "API key" })).toContainText("set");
  await expect(page.getByLabel("Model API base URL")).toHaveValue(`http://${apiHost}:${fakeModel().port}`);

  fakeModel().script([
    {
      text: "Writing the file.",
      toolUse: { name: "Write", input: { file_path: "/workspace/hello.txt", content: "hi from the job\n" } },
    },
    // Streamed slowly: the page is open on the job while the answer is still coming.
    { text: "Wrote hello.txt for you.", chunks: 5, delayMs: 400 },
  ]);
  const job = await startFromForm(page, "Please write hello.txt in the workspace");
  const firstId = job.id();

  // The tool call arrives on the open page, then its result, matched by its tool_use id.
  const toolUse = job.event("assistant/tool_use");
  await expect(toolUse).toContainText("Tool: Write", { timeout: 120_000 });
  await expect(toolUse).toContainText("/workspace/hello.txt");
  await toolUse.locator("summary").click();
  await expect(toolUse).toContainText('"content": "hi from the job\\n"');
  const toolResult = job.event("user/tool_result");
  await expect(toolResult).toContainText("Result of Write");
  await expect(toolResult).not.toHaveAttribute("data-tool-error", "true");
  await expect(toolUse).toContainText("✓ done");

  // The final answer, as text and as the result card; the job completes without a reload.
  await expect(job.event("assistant/text").last()).toContainText("Wrote hello.txt for you.");
  await expect(job.event("result")).toContainText("Wrote hello.txt for you.");
  await job.waitForStatus("completed");
  await expect(page.locator(`[data-job-toast="${firstId}"]`)).toHaveAttribute(
    "data-job-toast-status",
    "completed",
  );
  await expect(job.event("system/init")).toContainText("Claude Code");
  const indexes = await job.indexes();
  expect(indexes).toEqual([...Array(indexes.length).keys()]);

  // What the fake model saw: the prompt, then the tool's result from inside the container.
  const [first, second] = fakeModel().mainRequests;
  expect(promptText(first?.body)).toContain("Please write hello.txt in the workspace");
  expect(toolResultText(toolResults(second?.body)[0])).toContain("/workspace/hello.txt");
  const claudeSession = (await job.fact("Claude session").textContent())?.split(/[\s(]/)[0] ?? "";
  expect(claudeSession).toMatch(/^[0-9a-f-]{36}$/);

  // The same session, a second prompt: Claude Code resumes the conversation.
  fakeModel().script([{ text: "You asked me to write hello.txt, and I did." }]);
  await job.resume("What did I ask you before?");
  await page.waitForURL((url) => url.pathname.startsWith("/jobs/j-") && !url.pathname.endsWith(firstId));
  const resumed = new JobPage(page);
  await resumed.waitForStatus("completed");
  await expect(resumed.event("result")).toContainText("You asked me to write hello.txt, and I did.");
  await expect(resumed.fact("Claude session")).toContainText(claudeSession);
  const history = JSON.stringify(conversation(fakeModel().mainRequests[2]?.body));
  expect(history).toContain("Wrote hello.txt for you.");
  expect(history).toContain("What did I ask you before?");

  // Both jobs, listed under their session.
  await page.goto("/jobs");
  const sessionLink = page.locator(`tr[data-job="${firstId}"] a[href^="/jobs?session="]`);
  const sessionId = (await sessionLink.textContent())?.trim() ?? "";
  await page.goto(`/jobs?session=${sessionId}`);
  const rows = page.getByRole("table", { name: "Jobs" }).locator("tr[data-job]");
  await expect(rows).toHaveCount(2);
  await expect(rows.locator('[data-job-status="completed"]')).toHaveCount(2);
});

test("a dropped event stream resumes where it stopped, and a running job can be cancelled", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws\/jobs\//, (socket) => {
    socket.connectToServer();
    sockets.push(socket);
  });
  await setUp(page);

  fakeModel().script([{ text: "A slow answer, in ten parts.", chunks: 10, delayMs: 800 }, { stall: true }]);
  const job = await startFromForm(page, "Answer slowly");
  await expect(job.event("system/init")).toBeVisible({ timeout: 120_000 });

  // A network blip while the answer streams: the page reconnects from the next index it lacks.
  expect(sockets.length).toBeGreaterThan(0);
  await sockets.at(-1)?.close({ code: 4000, reason: "network blip" });
  await job.waitForStatus("completed");
  await expect(job.event("result")).toContainText("A slow answer, in ten parts.");
  expect(sockets.length).toBeGreaterThan(1);
  const indexes = await job.indexes();
  expect(indexes).toEqual([...Array(indexes.length).keys()]);

  // A job that hangs on the model: cancelled from its page, after a confirmation.
  const slowId = job.id();
  await job.resume("Now hang");
  await page.waitForURL((url) => url.pathname.startsWith("/jobs/j-") && !url.pathname.endsWith(slowId));
  const hanging = new JobPage(page);
  await hanging.waitForStatus("running");
  await page.getByRole("button", { name: "Cancel job" }).click();
  await page
    .getByRole("alertdialog", { name: /Confirm cancelling/ })
    .getByRole("button", { name: /Yes, cancel/ })
    .click();
  await hanging.waitForStatus("cancelled", 60_000);
  await expect(page.getByRole("button", { name: "Cancel job" })).toHaveCount(0);
  await expect(page.locator(`[data-job-toast="${hanging.id()}"]`)).toHaveAttribute(
    "data-job-toast-status",
    "cancelled",
  );
});
