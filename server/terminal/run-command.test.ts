import { describe, expect, it } from "vitest";
import type { AuditLog } from "../audit/audit-log";
import { AppError } from "../errors";
import {
  commandForAudit,
  commandOutputLimit,
  createOutputCollector,
  runCommandAudited,
  runInContainer,
} from "./run-command";
import { fakeExec, fakeLibpod, frame, recordingAudit } from "./terminal-test-fixtures";

describe("runInContainer", () => {
  it("runs the argument vector without a TTY, splits stdout from stderr and waits for the exit code", async () => {
    const { exec, stream } = fakeExec([
      { running: true, exitCode: null },
      { running: false, exitCode: 7 },
    ]);
    const { libpod, started } = fakeLibpod(exec);
    const whole = Buffer.concat([frame(1, "out-42\n"), frame(2, "err\n"), frame(1, "more\n")]);
    // Frames cut mid-header and mid-payload, as a socket delivers them.
    stream.push(whole.subarray(0, 5));
    stream.push(whole.subarray(5, 20));
    stream.push(whole.subarray(20));
    stream.push(null);
    const result = await runInContainer(libpod, "c1", ["sh", "-c", "exit 7"]);
    expect(started).toEqual([
      { containerId: "c1", options: { command: ["sh", "-c", "exit 7"], tty: false, stdin: false } },
    ]);
    expect(result).toEqual({ exitCode: 7, stdout: "out-42\nmore\n", stderr: "err\n", truncated: false });
  });

  it("keeps the first MiB of a stream and says the rest was cut", async () => {
    const { exec, stream } = fakeExec([{ running: false, exitCode: 0 }]);
    stream.push(frame(1, "x".repeat(commandOutputLimit + 10)));
    stream.push(null);
    const result = await runInContainer(fakeLibpod(exec).libpod, "c1", ["yes"]);
    expect(result.stdout.length).toBe(commandOutputLimit);
    expect(result.truncated).toBe(true);
  });
});

describe("createOutputCollector", () => {
  it("counts what it does not keep", () => {
    const out = createOutputCollector(5);
    out.add(Buffer.from("abc"));
    expect(out.truncated()).toBe(false);
    out.add(Buffer.from("defg"));
    out.add(Buffer.from("h"));
    expect(out.text()).toBe("abcde");
    expect(out.truncated()).toBe(true);
  });
});

describe("commandForAudit", () => {
  it("keeps as many arguments as fit an audit event, and counts the rest", () => {
    const many = Array.from({ length: 256 }, () => "\u0001".repeat(65_536));
    const { command, argumentsLeftOut } = commandForAudit(many);
    expect(command.length + (argumentsLeftOut ?? 0)).toBe(256);
    expect(command.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(command))).toBeLessThan(16 * 1024 - 200);
    expect(commandForAudit(["echo", "hi"])).toEqual({ command: ["echo", "hi"] });
  });
});

describe("runCommandAudited", () => {
  it("runs in the agent's running container and records the command, cut to 200 characters an argument", async () => {
    const { exec, stream } = fakeExec([{ running: false, exitCode: 3 }]);
    const { libpod, started } = fakeLibpod(exec);
    const { audit, events } = recordingAudit();
    stream.push(null);
    const services = {
      agents: { containerOf: async (name: string) => `container-of-${name}` },
      podman: { get: async () => ({ libpod }) },
      audit,
    };
    const long = "a".repeat(300);
    const result = await runCommandAudited(services, { agent: "a1", command: ["echo", long], actor: "cli" });
    expect(result.exitCode).toBe(3);
    expect(started[0]?.containerId).toBe("container-of-a1");
    expect(events).toEqual([
      {
        category: "terminal",
        action: "command_requested",
        actor: "cli",
        agent: "a1",
        outcome: "ok",
        details: { command: ["echo", "a".repeat(200)] },
      },
      {
        category: "terminal",
        action: "command_executed",
        actor: "cli",
        agent: "a1",
        outcome: "error",
        details: { command: ["echo", "a".repeat(200)], exitCode: 3, durationMs: expect.any(Number) },
      },
    ]);
  });

  it("runs nothing when the audit log cannot record the request (a full disk)", async () => {
    const { exec } = fakeExec([{ running: false, exitCode: 0 }]);
    const { libpod, started } = fakeLibpod(exec);
    const full = new AppError("UNAVAILABLE", "The disk holding CLAW_HOME (/h) is full.");
    const audit = { record: async () => Promise.reject(full) } as unknown as AuditLog;
    const services = {
      agents: { containerOf: async (name: string) => `container-of-${name}` },
      podman: { get: async () => ({ libpod }) },
      audit,
    };
    await expect(runCommandAudited(services, { agent: "a1", command: ["true"], actor: "cli" })).rejects.toBe(
      full,
    );
    expect(started).toEqual([]);
  });

  it("refuses a stopped agent before running or recording anything", async () => {
    const { exec } = fakeExec([{ running: false, exitCode: 0 }]);
    const { libpod, started } = fakeLibpod(exec);
    const { audit, events } = recordingAudit();
    const services = {
      agents: {
        containerOf: async (name: string): Promise<string> => {
          throw new AppError("CONFLICT", `${name} is not running`);
        },
      },
      podman: { get: async () => ({ libpod }) },
      audit,
    };
    await expect(
      runCommandAudited(services, { agent: "a1", command: ["true"], actor: "cli" }),
    ).rejects.toThrow("a1 is not running");
    expect(started).toEqual([]);
    expect(events).toEqual([]);
  });
});
