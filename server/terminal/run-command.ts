import type { AuditLog } from "../audit/audit-log";
import type { Libpod } from "../podman/libpod";
import { logDemuxer } from "../podman/log-stream";

/** Output kept per stream for a one-off command; the rest is counted, not kept. */
export const commandOutputLimit = 1024 * 1024;

export type CommandResult = {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Either stream printed more than `commandOutputLimit`. */
  truncated: boolean;
};

/** Pure: keeps the first `limit` bytes written to it and counts the rest. */
export function createOutputCollector(limit = commandOutputLimit) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  return {
    add(chunk: Buffer) {
      total += chunk.length;
      if (kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
    truncated: () => total > kept,
  };
}

/**
 * Runs a command (as an argument vector, never through a shell string) in the running container
 * without a TTY, and returns its exit code and output.
 */
export async function runInContainer(
  libpod: Libpod,
  containerId: string,
  command: string[],
): Promise<CommandResult> {
  const exec = await libpod.startExec(containerId, { command, tty: false, stdin: false });
  const stdout = createOutputCollector();
  const stderr = createOutputCollector();
  const demux = logDemuxer();
  exec.stream.on("data", (chunk: Buffer) => {
    for (const piece of demux(chunk)) (piece.stream === 2 ? stderr : stdout).add(piece.data);
  });
  await new Promise<void>((resolve) => {
    exec.stream.on("end", resolve);
    exec.stream.on("close", resolve);
    exec.stream.on("error", () => resolve());
  });
  // The exit code can trail the end of the stream by a moment.
  let details = await exec.inspect();
  for (let i = 0; i < 50 && details.running; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    details = await exec.inspect();
  }
  return {
    exitCode: details.exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated() || stderr.truncated(),
  };
}

/**
 * The command as its audit events hold it: 200 characters an argument, and no more arguments than
 * fit 12 KB of JSON (an event's details hold 16 KiB), so recording it can never refuse the command.
 */
export function commandForAudit(command: string[]): { command: string[]; argumentsLeftOut?: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (const arg of command) {
    const cut = arg.slice(0, 200);
    bytes += Buffer.byteLength(JSON.stringify(cut)) + 1;
    if (bytes > 12_000) return { command: kept, argumentsLeftOut: command.length - kept.length };
    kept.push(cut);
  }
  return { command: kept };
}

/** What `runCommandAudited` uses of the panel's services. */
export type CommandServices = {
  agents: { containerOf(name: string): Promise<string> };
  podman: { get(): Promise<{ libpod: Libpod }> };
  audit: AuditLog;
};

/**
 * `claw exec NAME -- CMD…`: the command's result in the agent's running container. A
 * `command_requested` event is recorded before it runs (a command the audit log cannot hold, as
 * on a full disk, does not run), and `command_executed` with its exit code after.
 */
export async function runCommandAudited(
  services: CommandServices,
  input: { agent: string; command: string[]; actor: string },
): Promise<CommandResult> {
  const containerId = await services.agents.containerOf(input.agent);
  const command = commandForAudit(input.command);
  await services.audit.record({
    category: "terminal",
    action: "command_requested",
    actor: input.actor,
    agent: input.agent,
    outcome: "ok",
    details: command,
  });
  const started = Date.now();
  const result = await runInContainer((await services.podman.get()).libpod, containerId, input.command);
  await services.audit.record({
    category: "terminal",
    action: "command_executed",
    actor: input.actor,
    agent: input.agent,
    outcome: result.exitCode === 0 ? "ok" : "error",
    details: {
      ...command,
      exitCode: result.exitCode,
      durationMs: Date.now() - started,
    },
  });
  return result;
}
