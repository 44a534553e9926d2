import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, type FakeTurn, startFakeAnthropic } from "./fake-anthropic";
import { writeTestJobTemplate } from "./job-templates";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const apiHost = "fake-anthropic.test";

type JobStatus = {
  id: string;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
  sessionId: string;
  eventCount: number;
  outputBytes: number;
};

/** The owner's Claude login, as `claude login` writes it (a token far from expiring: no refresh). */
const ownerCredentials = `${JSON.stringify({
  claudeAiOauth: {
    accessToken: "sk-ant-oat01-owner-token",
    refreshToken: "sk-ant-ort01-owner-refresh",
    expiresAt: Date.now() + 30 * 86_400_000,
    scopes: ["user:inference", "user:profile"],
    subscriptionType: "max",
  },
})}\n`;

/** Peak and current resident memory of a process, in bytes. */
async function memoryOf(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * Issue 15, items 2, 4 and 6 (prompts): the real Claude Code binary in the real job container, made
 * by a scripted model to do what a hostile job would — plant a symlink to a host file and a FIFO
 * where Claude Code keeps its login (the panel keeps the login itself and only removes a file found
 * there), and flood its stdout and stderr with 200 MB without a newline. The panel must not follow,
 * stall, copy or overwrite a host file, and stay up with bounded memory.
 */
describe("job containment", () => {
  let fake: FakeAnthropic;
  let panel: RunningPanel;
  let env: Record<string, string>;
  let hostDir = "";
  let hostFile = "";
  const hostContent = `${JSON.stringify({ claudeAiOauth: { accessToken: "HOST-FILE-SECRET" } })}\n`;
  const started: string[] = [];

  const cli = async (args: string[], input?: string) => {
    const run = await runCli(args, env, input);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const status = async (id: string) => JSON.parse(await cli(["--json", "jobs", "status", id])) as JobStatus;
  const waitFor = async (id: string, until: (job: JobStatus) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await status(id);
      if (until(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const finished = (id: string) =>
    waitFor(id, (job) => ["completed", "failed", "cancelled"].includes(job.status));
  /** A job whose model runs one Bash command, then says "done" (or answers `final`). */
  const runBash = async (command: string, options: string[] = [], final: FakeTurn = { text: "done" }) => {
    // Decided per request rather than scripted: an extra request from Claude Code cannot shift the turns.
    fake.reset();
    fake.respond((request) =>
      JSON.stringify(request.body.messages.at(-1)).includes("tool_result")
        ? final
        : { toolUse: { name: "Bash", input: { command, description: "hostile" } } },
    );
    const job = JSON.parse(
      await cli([
        "--json",
        "jobs",
        "start",
        "--prompt",
        "run the command",
        "--template",
        "quick",
        ...options,
      ]),
    ) as { jobId: string; sessionId: string };
    started.push(job.jobId);
    return job;
  };
  const storedCredentials = () =>
    readFile(join(panel.home, "jobs", "secrets", "claude-credentials.json"), "utf8");
  const auditRows = async () =>
    (await cli(["--json", "audit", "tail", "-n", "200"]))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> });
  const outputOf = async (id: string) =>
    (await runCli(["--json", "jobs", "output", id, "--limit", "50"], env)).stdout.slice(0, 6000);
  /** Whether /claude/.credentials.json exists in the job's container, in any form, as the job sees it. */
  const loginFileCheck =
    "{ test -e /claude/.credentials.json || test -L /claude/.credentials.json; } && echo LOGIN-FILE-PRESENT || echo LOGIN-FILE-ABSENT";
  /** The last tool result the model was sent: what the job's command printed. */
  const printedBy = () => JSON.stringify(fake.mainRequests.at(-1)?.body.messages.at(-1));

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), "claw-hostfiles-"));
    hostFile = join(hostDir, "host-secret.json");
    await writeFile(hostFile, hostContent, { mode: 0o644 });
    // Loopback: the panel's model gateway calls it; the container cannot.
    fake = await startFakeAnthropic();
    panel = await startPanel({ env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1` } });
    env = cliEnvOf(panel);
    await writeTestJobTemplate(panel.home, "quick", { idleTimeoutSeconds: 30, maxOutputBytes: 200_000 });
    // Claude Code prints an answer only once it has all of it: 200 MB takes a while to arrive.
    await writeFile(
      join(panel.home, "templates", "jobs", "flood.yaml"),
      `apiVersion: claw/v1
kind: JobTemplate
metadata:
  name: flood
  description: a job that prints too much
resources:
  memory: 4g
limits:
  idleTimeoutSeconds: 600
  maxOutputBytes: 200000
env:
  CLAUDE_CODE_MAX_RETRIES: "0"
  CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: "1"
`,
    );
    const credentialsFile = join(hostDir, "owner-credentials.json");
    await writeFile(credentialsFile, ownerCredentials);
    await cli([
      "jobs",
      "config",
      "--base-url",
      `http://${apiHost}:${fake.port}`,
      "--credentials-file",
      credentialsFile,
    ]);
  }, 120_000);

  afterAll(async () => {
    await panel?.stop();
    for (const id of started) await exec("podman", ["rm", "-f", `claw-job-${id}`]).catch(() => {});
    await fake?.close();
  });

  it("removes, never follows, a symlink or a FIFO planted where Claude Code keeps its login; no login is ever there", async () => {
    const planter = await runBash(`${loginFileCheck}; ln -sfn ${hostFile} /claude/.credentials.json`);
    expect((await finished(planter.jobId)).status, await outputOf(planter.jobId)).toBe("completed");
    expect(printedBy()).toContain("LOGIN-FILE-ABSENT");
    // The panel does not look at /claude when a job ends: the link is still there.
    const planted = join(panel.home, "jobs", "sessions", planter.sessionId, "claude", ".credentials.json");
    expect((await lstat(planted)).isSymbolicLink()).toBe(true);
    const before = await stat(hostFile);

    // The next start removes the link (not its target); this job plants a FIFO instead, while the
    // model's last answer streams (Claude Code looks for a login file before each request).
    const next = await runBash(
      `${loginFileCheck}; setsid sh -c 'sleep 2; mkfifo /claude/.credentials.json' </dev/null >/dev/null 2>&1 &`,
      ["--session", planter.sessionId],
      { text: "done and done", chunks: 6, delayMs: 1000 },
    );
    expect((await finished(next.jobId)).status, await outputOf(next.jobId)).toBe("completed");
    expect(printedBy()).toContain("LOGIN-FILE-ABSENT");
    expect((await lstat(planted)).isFIFO()).toBe(true);

    // …which the start after it removes without opening (a FIFO would stall a reader).
    const last = await runBash(loginFileCheck, ["--session", planter.sessionId]);
    expect((await finished(last.jobId)).status, await outputOf(last.jobId)).toBe("completed");
    expect(printedBy()).toContain("LOGIN-FILE-ABSENT");

    const after = await stat(hostFile);
    expect(await readFile(hostFile, "utf8")).toBe(hostContent);
    expect({ uid: after.uid, gid: after.gid, mode: after.mode }).toEqual({
      uid: before.uid,
      gid: before.gid,
      mode: before.mode,
    });
    // The login stayed in the panel, as given (far from expiring: not refreshed), and was used.
    expect(await storedCredentials()).toBe(ownerCredentials);
    expect(fake.mainRequests.at(-1)?.headers.authorization).toBe("Bearer sk-ant-oat01-owner-token");
    expect(JSON.stringify(await auditRows())).not.toContain("sk-ant-oat01-owner-token");
  }, 240_000);

  it("stays up with bounded memory while a job prints 200 MB without a newline", async () => {
    const pid = panel.process.pid as number;
    const before = await memoryOf(pid);
    // A tool cannot reach the container's stdout (Claude Code captures it; /proc/1/fd/1 is refused in
    // the user namespace), but the model's answer can: Claude Code prints it as one stream-json line.
    fake.reset();
    fake.script([{ text: "a".repeat(200_000_000), chunks: 200 }]);
    const job = JSON.parse(
      await cli(["--json", "jobs", "start", "--prompt", "flood", "--template", "flood"]),
    ) as { jobId: string };
    started.push(job.jobId);
    const ended = await waitFor(job.jobId, (row) => ["completed", "failed"].includes(row.status), 600_000);
    expect(ended, await outputOf(job.jobId)).toMatchObject({ status: "failed", errorType: "output_limit" });
    expect(ended.outputBytes).toBeLessThanOrEqual(200_000);
    const after = await memoryOf(pid);
    expect(after.peak - before.rss, `peak ${after.peak}, before ${before.rss}`).toBeLessThan(300 * 1024 ** 2);
    expect((await status(job.jobId)).status).toBe("failed"); // still answering
  }, 700_000);

  it("keeps the prompt out of every process's command line on the host while the job runs", async () => {
    const marker = `secret-prompt-${randomBytes(6).toString("hex")}`;
    fake.reset();
    fake.script([
      { toolUse: { name: "Bash", input: { command: "sleep 6", description: "wait" } } },
      { text: "done" },
    ]);
    const job = JSON.parse(
      // From stdin: the CLI's own command line stays free of it too.
      await cli(["--json", "jobs", "start", "--prompt", "-", "--template", "quick"], `please ${marker}`),
    ) as { jobId: string };
    started.push(job.jobId);
    await waitFor(job.jobId, (row) => row.status === "running" && row.eventCount >= 2);
    const seen: string[] = [];
    let claude = 0;
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes("stream-json")) claude++;
      if (cmdline.includes(marker)) seen.push(cmdline.replaceAll("\0", " "));
    }
    expect(claude, "the job's claude process is running and visible").toBeGreaterThan(0);
    expect(seen).toEqual([]);
    expect((await finished(job.jobId)).status, await outputOf(job.jobId)).toBe("completed");
    expect(JSON.stringify(fake.mainRequests.at(-1)?.body.messages[0])).toContain(marker);
  }, 180_000);
});
