import { readFileSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeCommand, jobContainerSpec, jobCreateBody } from "./job-container";
import { jobNoticeText } from "./job-notify";
import { downsample } from "./job-queries";
import { cappedStderr, maxStderrBytes, stderrCutMarker } from "./job-stderr";
import { defaultJobTemplate } from "./job-template";
import { factsOfLine, type JobResult, jobOutcome } from "./stream-json";

/** Claude Code 2.1.330's real stdout for each case (trimmed of bulky fields). */
const recorded = (name: string) =>
  readFileSync(new URL(`./testdata/${name}.jsonl`, import.meta.url), "utf8")
    .trim()
    .split("\n");

function replay(name: string) {
  let sessionId: string | undefined;
  let result: JobResult | null = null;
  const open = new Set<string>();
  for (const line of recorded(name)) {
    const facts = factsOfLine(line);
    sessionId = facts.sessionId ?? sessionId;
    for (const id of facts.toolUses) open.add(id);
    for (const id of facts.toolResults) open.delete(id);
    result = facts.result ?? result;
  }
  return { sessionId, result, open };
}

const ended = (result: JobResult | null, exitCode: number) =>
  jobOutcome({ stoppedFor: null, exitCode, oomKilled: false, result, stderrTail: "" });

describe("stream-json", () => {
  it("reads a tool call, its result and the final result from a real run", () => {
    const { sessionId, result, open } = replay("s2-write");
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(open.size).toBe(0);
    expect(result).toMatchObject({ isError: false, subtype: "success", numTurns: 2, sessionId });
    expect(ended(result, 0)).toEqual({ status: "completed", errorType: null, message: null });
  });

  it.each([
    ["s4-401", "auth_failed"],
    ["s4-429", "rate_limit"],
    ["s4-500", "api_error"],
    ["s4-529", "api_error"],
    ["s4-400credit", "auth_failed"],
    ["s4-connection-refused", "api_error"],
  ])("classifies %s as %s (Claude Code says success and exits 1 for all)", (name, errorType) => {
    const { result } = replay(name);
    expect(result?.subtype).toBe("success");
    const outcome = ended(result, 1);
    expect(outcome).toMatchObject({ status: "failed", errorType });
    expect(outcome.message).toBe(result?.text);
  });

  it("accepts anything on a line without trusting it", () => {
    expect(factsOfLine("not json").kind).toBe("invalid");
    expect(factsOfLine("[1,2]").kind).toBe("invalid");
    expect(factsOfLine('{"type":"assistant","message":{"content":"x"}}')).toMatchObject({
      kind: "assistant",
      toolUses: [],
    });
    expect(factsOfLine('{"type":"result","is_error":"yes"}').result?.isError).toBe(false);
  });
});

describe("jobOutcome", () => {
  const result = factsOfLine(recorded("s2-write").at(-1) ?? "").result ?? null;
  it("puts the runner's own stops and the kernel's OOM kill before what the stream says", () => {
    expect(
      jobOutcome({
        stoppedFor: "idle_timeout",
        limitMessage: "no output for 5 s",
        exitCode: 143,
        oomKilled: false,
        result: null,
        stderrTail: "",
      }),
    ).toEqual({
      status: "failed",
      errorType: "idle_timeout",
      message: "no output for 5 s",
    });
    expect(
      jobOutcome({
        stoppedFor: "cancelled",
        cancelledBy: "cli",
        exitCode: 143,
        oomKilled: false,
        result: null,
        stderrTail: "",
      }),
    ).toMatchObject({ status: "cancelled" });
    expect(
      jobOutcome({ stoppedFor: null, exitCode: 137, oomKilled: true, result: null, stderrTail: "" }),
    ).toMatchObject({ errorType: "oom" });
  });
  it("calls a non-zero exit or a missing result a crash, with stderr, even when the stream looked fine", () => {
    expect(ended(null, 0)).toMatchObject({ status: "failed", errorType: "crash" });
    expect(
      jobOutcome({ stoppedFor: null, exitCode: 2, oomKilled: false, result, stderrTail: "boom\n" }),
    ).toEqual({
      status: "failed",
      errorType: "crash",
      message: "exit code 2: boom",
    });
  });
});

describe("the job's container", () => {
  const specInput = {
    jobId: "j-abcdefghij",
    sessionId: "s-abcdefghij",
    template: defaultJobTemplate,
    image: { ref: "localhost/claw-claude-code:latest", digest: "sha256:x" },
    rootless: false,
  };
  const spec = jobContainerSpec(specInput);

  it("is hardened like an agent's and reaches the model only through the panel's model gateway", () => {
    expect(spec).toMatchObject({
      user: "1000:1000",
      capDrop: ["ALL"],
      noNewPrivileges: true,
      readOnlyRootfs: true,
      // No allow rule for the API: the model gateway calls it from the host.
      network: { mode: "none", allow: [], egressProxy: { socketDir: "run/egress" } },
      secretEnv: [],
      labels: { "claw.job-model": "proxy" },
    });
    expect(
      spec.mounts.map((mount) => `${mount.source}:${mount.target}:${mount.readOnly ? "ro" : "rw"}`),
    ).toEqual([
      "workspace:/workspace:rw",
      "claude:/claude:rw",
      "run/job:/run/claw/job:ro",
      "run/egress:/run/claw/egress:ro",
      "run/model:/run/claw/model:ro",
    ]);
    expect(spec.env).toMatchObject({
      CLAUDE_CONFIG_DIR: "/claude",
      HTTPS_PROXY: "http://127.0.0.1:3128",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:3129",
      ANTHROPIC_API_KEY: "claw-model-gateway",
    });
    expect(JSON.stringify(spec)).not.toContain('.claude"'); // never the host's ~/.claude
  });

  it("keeps a template from pointing a proxied job elsewhere", () => {
    const template = {
      ...defaultJobTemplate,
      env: { ANTHROPIC_BASE_URL: "http://evil.test", ANTHROPIC_API_KEY: "x" },
    };
    const proxied = jobContainerSpec({ ...specInput, template });
    expect(proxied.env).toMatchObject({
      ANTHROPIC_BASE_URL: "http://127.0.0.1:3129",
      ANTHROPIC_API_KEY: "claw-model-gateway",
    });
  });

  it("is the same whatever the credential (API key or OAuth login): the gateway, never the API's host", () => {
    // Nothing in the spec depends on how the panel signs in: no allow rule for the API, no login mount.
    const open = jobContainerSpec({
      ...specInput,
      template: {
        ...defaultJobTemplate,
        network: { ...defaultJobTemplate.network, profile: "restricted", allow: ["github.com"] },
      },
    });
    expect(open.network.allow).toEqual(["github.com"]);
    expect(open.env).toMatchObject({
      ANTHROPIC_BASE_URL: "http://127.0.0.1:3129",
      ANTHROPIC_API_KEY: "claw-model-gateway",
    });
    expect(open.mounts.map((mount) => mount.target)).toContain("/run/claw/model");
    expect(JSON.stringify(open)).not.toMatch(/credentials|sk-ant|api\.anthropic\.com/);
  });

  it("keeps the prompt out of the command line (any local user can read it there)", () => {
    const command = claudeCommand({ resume: "abc", model: undefined });
    expect(command).not.toContain("--");
    expect(command).toContain("--resume");
    expect(command.slice(0, 2)).toEqual(["claw-job-init", "claude"]);
    const body = jobCreateBody(spec, {
      sessionDir: "/h/s",
      command,
      secretEnv: {},
      runtimeLabels: {},
    });
    expect(body).toMatchObject({
      command,
      stdin: false,
      terminal: false,
      userns: { nsmode: "auto" },
      idmappings: { AutoUserNs: true, AutoUserNsOpts: { Size: 65536 } },
    });
    expect(body.mounts.find((mount) => mount.destination === "/workspace")?.source).toBe("/h/s/workspace");
  });
});

describe("notices and charts", () => {
  it("says the real output size", () => {
    const text = jobNoticeText({
      jobId: "j-x",
      sessionId: "s-y",
      status: "completed",
      outputBytes: 5120,
      durationMs: 3200,
      resultText: "done",
    });
    expect(text).toBe("Claude Code job j-x completed after 3 s (5.0 KiB of output).\n\ndone");
  });
  it("keeps at most the points asked for, with the last", () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i);
    const picked = downsample(samples, 240);
    expect(picked).toHaveLength(240);
    expect(picked.at(-1)).toBe(999);
    expect(downsample([1, 2], 240)).toEqual([1, 2]);
  });
});

describe("a job's stderr on disk", () => {
  it("keeps the first MiB, then one marker line, and after a restart skips what it already has", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "claw-stderr-")), "stderr.log");
    const first = cappedStderr(path, { append: false });
    first.write(Buffer.from("start\n"));
    const chunk = Buffer.alloc(64 * 1024, 0x65);
    for (let i = 0; i < 3200; i++) first.write(chunk); // 200 MiB without a newline
    first.close();
    first.write(Buffer.from("after close is dropped, not thrown"));
    const stored = await readFile(path, "utf8");
    expect(stored.length).toBe(maxStderrBytes + stderrCutMarker.length);
    expect(stored.startsWith("start\neee")).toBe(true);
    expect(stored.endsWith(stderrCutMarker)).toBe(true);

    // Podman replays stderr from the start when the panel follows the job again.
    const again = cappedStderr(path, { append: true });
    again.write(Buffer.from("start\n"));
    again.write(chunk);
    again.close();
    expect(await readFile(path, "utf8")).toBe(stored);

    const short = join(tmpdir(), `claw-stderr-${process.pid}.log`);
    const one = cappedStderr(short, { append: false });
    one.write(Buffer.from("line 1\n"));
    one.close();
    const two = cappedStderr(short, { append: true });
    two.write(Buffer.from("line 1\nline 2\n"));
    two.close();
    expect(await readFile(short, "utf8")).toBe("line 1\nline 2\n");
  });
});
