import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { type FakeAnthropic, startFakeAnthropic } from "../test/fake-anthropic";
import { AgentsPage, deleteAgentAfterEach, deleteModelSecret, home, LoginPage, modelSecret } from "./panel";

// A user with their own model server: a template whose model is at a fake Messages API on this
// machine's loopback (which accepts only the real key), the key set once in Settings, and a chat in
// the agent's own Control UI. The agent reaches the fake only through the panel's model gateway,
// which adds the key; the panel counts the request on the agent's Model card.

const exec = promisify(execFile);

/** Several test panels share one Podman: the names are unique to this run. */
const run = Date.now().toString(36);
const name = `model-${run}`;
/** A template of its own: the built-in names are left as they are for the other specs. */
const template = `e2e-model-${run}`;
const templatePath = join(home, "templates", `${template}.yaml`);
const apiKey = `sk-ant-e2e-${randomBytes(16).toString("hex")}`;
const answer = "Hello from the fake model, through the panel gateway.";

let fake: FakeAnthropic;

deleteAgentAfterEach(name);

test.beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey });
  fake.respond(() => ({ text: answer }));
  // The built-in coder with one line added: where its model is.
  const coder = await readFile(new URL("../server/policy/templates/coder.yaml", import.meta.url), "utf8");
  const edited = coder
    .replace(/^ {2}name: coder$/m, `  name: ${template}`)
    .replace(/^( {2}model:\n(?: {4}.*\n)+)/m, `$1    baseUrl: ${fake.url}\n`);
  expect(edited).toContain(`  name: ${template}\n`);
  expect(edited).toContain(`    baseUrl: ${fake.url}\n`);
  await mkdir(join(home, "templates"), { recursive: true });
  await writeFile(templatePath, edited);
  // The key is set in this test, through the form: it starts unset (the jobs spec sets it too).
  await deleteModelSecret();
});

test.afterAll(async () => {
  await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
  await rm(templatePath, { force: true });
  // Other specs expect a panel without a model key (agents read "ready — no model").
  await deleteModelSecret().catch(() => {});
  await fake?.close();
});

test("set the model key in Settings, chat with an agent in its Control UI, see the request on its Model card", async ({
  page,
  context,
}) => {
  test.setTimeout(5 * 60_000);
  await new LoginPage(page).login();

  // Settings → Secrets: the model key is listed (Claude Code jobs use it) but not set; set it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings/);
  const secretRow = page.locator(`tr[data-secret="${modelSecret}"]`);
  await expect(secretRow.getByText("not set", { exact: true })).toBeVisible();
  await secretRow.getByRole("button", { name: `Set ${modelSecret}`, exact: true }).click();
  const form = page.getByRole("form", { name: "Set a secret" });
  await expect(form.getByLabel("Name")).toHaveValue(modelSecret);
  await form.getByLabel("Value").fill(apiKey);
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByText(`Saved ${modelSecret}.`)).toBeVisible();
  // Write-only: the field is emptied and the value is nowhere on the page.
  await expect(form.getByLabel("Value")).toHaveValue("");
  await expect(secretRow.getByText("set", { exact: true })).toBeVisible();
  await expect(secretRow.getByRole("button", { name: `Replace ${modelSecret}`, exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(apiKey);

  // An agent from the new template, started from the list: ready, with a model this time.
  const agents = new AgentsPage(page);
  await agents.open();
  await agents.create(name, template);
  await agents.open();
  const row = agents.row(name);
  await row.getByRole("button", { name: `Start ${name}`, exact: true }).click();
  await expect(row.getByText("ready", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(row.locator("[data-agent-state]")).toHaveAttribute("data-model-ready", "yes");

  await row.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/agents/${name}$`));
  const modelCard = page
    .locator("section")
    .filter({ has: page.getByRole("heading", { name: "Model", exact: true }) });
  await expect(modelCard.locator("[data-model-ready]")).toHaveAttribute("data-model-ready", "yes");
  await expect(modelCard).toContainText(`anthropic/claude-sonnet-4-6`);
  await expect(modelCard).toContainText("No model requests yet.");

  // The Control UI, in its own tab: one message in its chat composer, and the model's answer.
  const popupOpened = context.waitForEvent("page");
  await page.getByRole("button", { name: "Open Control UI", exact: true }).click();
  const controlUi = await popupOpened;
  await controlUi.waitForLoadState();
  const chat = controlUi.getByRole("region", { name: "Chat" });
  const composer = chat.getByRole("textbox", { name: "Chat composer" });
  await expect(composer).toBeEditable({ timeout: 60_000 });
  await composer.fill("Hello, can you hear me?");
  await composer.press("Enter");
  await expect(chat.getByRole("log").getByText("Hello, can you hear me?")).toBeVisible();
  // The first turn takes 10–20 s: OpenClaw sets up the session before it asks the model.
  await expect(chat.getByRole("log").getByText(answer, { exact: true })).toBeVisible({ timeout: 120_000 });

  // The fake answered because the real key arrived: the gateway added it (the container has none).
  const seen = fake.mainRequests.at(-1);
  expect(seen?.headers["x-api-key"]).toBe(apiKey);
  expect(JSON.stringify(seen?.body)).toContain("Hello, can you hear me?");
  await controlUi.close();

  // Back on the agent's page, the Model card counts it (it polls every few seconds).
  const today = modelCard.locator('dt:text-is("Today") + dd');
  await expect(today).toHaveText(/^\d+ requests? · \S+ tokens in \/ \S+ out/, { timeout: 30_000 });
  const [, requests, tokensIn, tokensOut] =
    /^(\d+) requests? · (\S+) tokens in \/ (\S+) out/.exec((await today.textContent()) ?? "") ?? [];
  expect(Number(requests)).toBeGreaterThanOrEqual(1);
  expect(Number.parseFloat(tokensIn ?? "0")).toBeGreaterThan(0);
  expect(Number.parseFloat(tokensOut ?? "0")).toBeGreaterThan(0);
  await expect(modelCard.locator('dt:text-is("Last model") + dd')).toHaveText("claude-sonnet-4-6");
});
