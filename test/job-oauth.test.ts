import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic, toolResults, toolResultText } from "./fake-anthropic";
import { writeTestJobTemplate } from "./job-templates";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const apiHost = "fake-anthropic.test";
const oldAccess = `sk-ant-oat01-old-${randomBytes(12).toString("hex")}`;
const oldRefresh = `sk-ant-ort01-old-${randomBytes(12).toString("hex")}`;
const newAccess = `sk-ant-oat01-new-${randomBytes(12).toString("hex")}`;
const newRefresh = `sk-ant-ort01-new-${randomBytes(12).toString("hex")}`;

type JobStatus = {
  id: string;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
  sessionId: string;
  resumed: string | null;
  result: { text: string } | null;
  session: { claudeSessionId: string | null };
};

/**
 * A job with only an OAuth login (Claude Code's `.credentials.json`, its token about to expire): the
 * panel refreshes the token at a fake token endpoint on loopback and its model gateway sends the new
 * one as a bearer token to the fake Messages API; the real Claude Code in the real container never
 * holds the login, in a file or in its environment, and a resumed job in the session still works.
 */
describe("Claude Code jobs with an OAuth login", () => {
  let fake: FakeAnthropic;
  let panel: RunningPanel;
  let env: Record<string, string>;
  const started: string[] = [];
  const tokenCalls: Record<string, unknown>[] = [];
  let tokenAnswer: { status: number; body: unknown } = {
    status: 200,
    body: { access_token: newAccess, refresh_token: newRefresh, expires_in: 28_800 },
  };
  let tokenServer: Server;

  const cli = async (args: string[], input?: string) => {
    const run = await runCli(args, env, input);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const start = async (prompt: string, options: string[] = []) => {
    const job = JSON.parse(
      await cli(["--json", "jobs", "start", "--prompt", prompt, "--template", "quick", ...options]),
    ) as { jobId: string; sessionId: string };
    started.push(job.jobId);
    return job;
  };
  const finished = async (id: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = JSON.parse(await cli(["--json", "jobs", "status", id])) as JobStatus;
      if (["completed", "failed", "cancelled"].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const storedLoginPath = () => join(panel.home, "jobs", "secrets", "claude-credentials.json");
  const giveLogin = async (expiresInMs: number) => {
    const file = join(panel.home, "owner-login.json");
    await writeFile(
      file,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: oldAccess,
          refreshToken: oldRefresh,
          expiresAt: Date.now() + expiresInMs,
          scopes: ["user:inference", "user:profile"],
          subscriptionType: "max",
        },
      }),
    );
    await cli(["jobs", "config", "--credentials-file", file]);
  };

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        tokenCalls.push({ path: req.url, ...(JSON.parse(body) as Record<string, unknown>) });
        res
          .writeHead(tokenAnswer.status, { "content-type": "application/json" })
          .end(JSON.stringify(tokenAnswer.body));
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, "127.0.0.1", resolve));
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/v1/oauth/token`;
    // Loopback, and only with the refreshed token: the old one, or none, gets a 401.
    fake = await startFakeAnthropic({ apiKey: newAccess });
    panel = await startPanel({
      env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1`, CLAW_ANTHROPIC_OAUTH_TOKEN_URL: tokenUrl },
    });
    env = cliEnvOf(panel);
    await writeTestJobTemplate(panel.home, "quick", { idleTimeoutSeconds: 30 });
    await cli(["jobs", "config", "--base-url", `http://${apiHost}:${fake.port}`]);
    // Two minutes left: within the five the panel refreshes ahead.
    await giveLogin(2 * 60_000);
  }, 120_000);
  afterAll(async () => {
    await panel?.stop();
    for (const id of started) await exec("podman", ["rm", "-f", `claw-job-${id}`]).catch(() => {});
    await fake?.close();
    tokenServer?.close();
  });

  it("refreshes the login once in the panel, sends the new token from the gateway, and keeps it out of the container", async () => {
    fake.script([
      {
        toolUse: {
          name: "Bash",
          input: {
            command:
              "env; cat /proc/1/environ | tr '\\0' '\\n'; ls -la /claude; test -e /claude/.credentials.json && echo HAS-LOGIN-FILE || echo NO-LOGIN-FILE; grep -rl sk-ant- /claude /tmp /home 2>/dev/null; echo searched",
            description: "look for the login",
          },
        },
      },
      { text: "looked" },
    ]);
    const first = await start("look for your login");
    const job = await finished(first.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");

    // One refresh, as Claude Code does it, for every request of the job.
    expect(tokenCalls).toEqual([
      {
        path: "/v1/oauth/token",
        grant_type: "refresh_token",
        refresh_token: oldRefresh,
        client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
        scope: "user:inference user:profile",
      },
    ]);
    const calls = fake.requests.filter((request) => request.kind !== "other");
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      expect(call.headers.authorization).toBe(`Bearer ${newAccess}`);
      expect(call.headers["anthropic-beta"]).toContain("oauth-2025-04-20");
      expect(call.headers["x-api-key"]).toBeUndefined();
    }

    // What the job saw: the placeholder, no login file, no token anywhere it could look.
    const printed = toolResults(fake.mainRequests.at(-1)?.body).map(toolResultText).join("\n");
    expect(printed).toContain("ANTHROPIC_API_KEY=claw-model-gateway");
    expect(printed).toContain("NO-LOGIN-FILE");
    expect(printed).toContain("searched");
    for (const token of [oldAccess, oldRefresh, newAccess, newRefresh, "sk-ant-o"])
      expect(printed).not.toContain(token);
    const claudeDir = join(panel.home, "jobs", "sessions", first.sessionId, "claude");
    await expect(lstat(join(claudeDir, ".credentials.json"))).rejects.toThrow(/ENOENT/);

    // The panel's copy holds the new tokens (0600), and the audit log says so without them.
    const stored = JSON.parse(await readFile(storedLoginPath(), "utf8")) as {
      claudeAiOauth: Record<string, unknown>;
    };
    expect(stored.claudeAiOauth).toMatchObject({
      accessToken: newAccess,
      refreshToken: newRefresh,
      subscriptionType: "max",
    });
    expect(stored.claudeAiOauth.expiresAt).toBeGreaterThan(Date.now() + 7 * 3600_000);
    expect((await stat(storedLoginPath())).mode & 0o777).toBe(0o600);
    const audit = await cli(["--json", "audit", "tail", "-n", "100"]);
    expect(audit).toContain('"action":"job_login_refreshed"');
    for (const token of [oldAccess, oldRefresh, newAccess, newRefresh]) expect(audit).not.toContain(token);
    expect(audit).toMatch(/"action":"job_started".*"model":"proxy"/);

    // The session resumes with the refreshed login, and nothing refreshes again.
    fake.script([{ text: "You asked me to look for the login." }]);
    const second = await start("what did I ask?", ["--session", first.sessionId]);
    const resumed = await finished(second.jobId);
    expect(resumed, JSON.stringify(resumed)).toMatchObject({
      status: "completed",
      resumed: job.session.claudeSessionId,
    });
    expect(JSON.stringify(fake.mainRequests.at(-1)?.body.messages)).toContain("look for your login");
    expect(tokenCalls).toHaveLength(1);
  }, 240_000);

  it("fails a job whose login expired and cannot be refreshed, saying how to give it again", async () => {
    tokenAnswer = { status: 400, body: { error: "invalid_grant", error_description: "revoked" } };
    await giveLogin(-60_000);
    const calls = fake.requests.length;
    const { jobId } = await start("anyone there?");
    const job = await finished(jobId);
    expect(job.status, JSON.stringify(job)).toBe("failed");
    expect(job.errorMessage).toContain("claw jobs config --credentials-file");
    // Refused in the panel: the model API never saw the expired token.
    expect(fake.requests.slice(calls).filter((request) => request.kind !== "other")).toEqual([]);
    const audit = await cli(["--json", "audit", "tail", "-n", "50"]);
    expect(audit).toMatch(/"action":"job_login_refresh_failed".*"usingStoredToken":false/);
  }, 180_000);
});
