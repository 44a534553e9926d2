import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import WebSocket from "ws";
import { socketFetch } from "../shared/socket-fetch";
import { type FakeAnthropic, startFakeAnthropic } from "../test/fake-anthropic";
import { mintLoginCode } from "../test/start-panel";

export const port = Number(process.env.CLAW_E2E_PORT);
export const home = process.env.CLAW_E2E_HOME ?? "";
export const origin = `http://127.0.0.1:${port}`;
export const cookieName = `claw_session_${port}`;

/** The panel's socket, where the CLI (and these tests, as the owner) reach it without a token. */
export const socketPath = join(home, "run", "panel.sock");

/**
 * A tRPC mutation as the owner over the panel's socket (as `claw` sends it), for set-up and
 * clean-up outside a test, where there is no page; it must succeed.
 */
export async function ownerMutate(path: string, data: object): Promise<unknown> {
  const response = await socketFetch(socketPath)(`/api/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
    body: JSON.stringify(data),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return (JSON.parse(text) as { result?: { data?: unknown } }).result?.data;
}

/** The secret the built-in templates' model needs (and Claude Code jobs share). */
export const modelSecret = "anthropic-api-key";

/**
 * Deletes the model key, as `claw secrets delete` would: the state of a new panel, where agents
 * read "ready — no model". A spec that sets the key calls it when done; one that needs the key
 * unset calls it first (the jobs spec sets the key too, and specs run in any order).
 */
export async function deleteModelSecret(): Promise<void> {
  await ownerMutate("secrets.delete", { name: modelSecret });
}

/** A fresh one-time login code, as `claw login-url` mints it; each logs in once. */
export function loginCode(): Promise<string> {
  return mintLoginCode(socketFetch(socketPath));
}

/** Page object for the login page. */
export class LoginPage {
  constructor(readonly page: Page) {}

  /** Opens a login link carrying `code` (a one-time code, or anything a test wants refused). */
  async openWithToken(code: string) {
    await this.page.goto(`/login#code=${code}`);
  }

  /**
   * Logs in with a fresh login code and waits until the home page is interactive: the "live" badge
   * is set by client code, so React has hydrated (a click before that has no handler yet).
   */
  async login() {
    await this.openWithToken(await loginCode());
    await this.page.waitForURL(`${origin}/`);
    await this.page.getByText("● live").waitFor();
  }

  async loginWithPaste(text: string) {
    await this.page.goto("/login");
    await this.page.getByLabel("Login link or code").fill(text);
    await this.page.getByRole("button", { name: "Log in" }).click();
  }

  /** The form's own alert (Next's route announcer is an alert too). */
  error() {
    return this.page.locator("form").getByRole("alert");
  }
}

/** Page object for the agents list (/agents). */
export class AgentsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
    await expect(this.page).toHaveURL(/\/agents(\?.*)?$/);
  }

  async create(name: string, template: string) {
    const form = this.page.getByRole("form", { name: "New agent" });
    await form.getByLabel("Template").selectOption(template);
    await form.getByLabel("Name").fill(name);
    await form.getByRole("button", { name: "Create agent" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/agents/${name}$`));
  }

  row(name: string) {
    return this.page
      .getByRole("table", { name: "Agents" })
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name, exact: true }) });
  }
}

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
};

/** A request with exactly the headers given (browsers and fetch will not forge Host). */
export function rawRequest(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Logs in over HTTP and returns the session cookie header value. */
export async function loginCookie(): Promise<string> {
  const response = await rawRequest("/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-claw-csrf": "1", Origin: origin },
    body: JSON.stringify({ code: await loginCode() }),
  });
  const setCookie = [response.headers["set-cookie"] ?? []].flat()[0] ?? "";
  const pair = setCookie.split(";")[0];
  if (response.status !== 200 || !pair) throw new Error(`login failed: ${response.status} ${response.body}`);
  return pair;
}

export type UpgradeOutcome = { opened: true; firstMessage: string } | { opened: false; status: number };

/** Tries a WebSocket upgrade and reports whether it opened (and its first message) or the refusal status. */
export function tryWebSocket(path: string, headers: Record<string, string>): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const { Origin: originHeader, ...rest } = headers;
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: rest, origin: originHeader });
    socket.on("message", (data) => {
      resolve({ opened: true, firstMessage: String(data) });
      socket.close();
    });
    socket.on("unexpected-response", (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on("error", (error) => reject(error));
  });
}

/** A tRPC mutation as the logged-in page, for set-up the test is not about; it must succeed. */
export async function mutate(page: Page, path: string, data: object): Promise<unknown> {
  const response = await page.request.post(`/api/trpc/${path}`, {
    headers: { "x-claw-csrf": "1", Origin: origin },
    data,
  });
  expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result?: { data?: unknown } }).result?.data;
}

/**
 * Deletes the agent after each test of the file, even one that stopped half way, so no running
 * container is left behind in the Podman the test panels share.
 */
export function deleteAgentAfterEach(name: string) {
  test.afterEach(async ({ page }) => {
    await page.request
      .post("/api/trpc/agents.delete", {
        headers: { "x-claw-csrf": "1", Origin: origin },
        data: { name, force: true },
      })
      .catch(() => {});
  });
}

/**
 * Cancels the jobs (of one agent, when given) still running or waiting, even after a failed test,
 * so none is left running in the Podman the test panels share.
 */
export async function cancelJobsLeft(page: Page, filter: { agent?: string } = {}): Promise<void> {
  const input = encodeURIComponent(JSON.stringify({ ...filter, limit: 50 }));
  const response = await page.request
    .get(`/api/trpc/jobs.list?input=${input}`, { headers: { "x-claw-csrf": "1", Origin: origin } })
    .catch(() => undefined);
  if (!response?.ok()) return;
  const body = (await response.json()) as { result?: { data?: { jobs: { id: string; status: string }[] } } };
  for (const job of body.result?.data?.jobs ?? [])
    if (job.status === "running" || job.status === "pending")
      await page.request
        .post("/api/trpc/jobs.cancel", {
          headers: { "x-claw-csrf": "1", Origin: origin },
          data: { id: job.id },
        })
        .catch(() => {});
}

/**
 * The fake model API a spec's jobs talk to: started before the file's tests, reset (and the jobs
 * left cancelled) after each, closed after all, with the panel's shared model key removed so other
 * specs start without one. Returns the running fake.
 */
export function fakeModelForJobs(apiKey: string, filter: { agent?: string } = {}): () => FakeAnthropic {
  let fake: FakeAnthropic | undefined;
  test.beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey });
  });
  test.afterAll(async () => {
    await fake?.close();
    await deleteModelSecret();
  });
  test.afterEach(async ({ page }) => {
    fake?.reset();
    await cancelJobsLeft(page, filter);
  });
  return () => {
    if (!fake) throw new Error("the fake model API starts in beforeAll");
    return fake;
  };
}
