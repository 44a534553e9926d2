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

/** What `runCommandAudited` uses of the panel's services. */
export type CommandServices = {
  agents: { containerOf(name: string): Promise<string> };
  podman: { get(): Promise<{ libpod: Libpod }> };
  audit: AuditLog;
};

/**
 * `claw exec NAME -- CMD…`: the command's result in the agent's running container, with one
 * `command_executed` audit event.
 */
export async function runCommandAudited(
  services: CommandServices,
  input: { agent: string; command: string[]; actor: string },
): Promise<CommandResult> {
  const containerId = await services.agents.containerOf(input.agent);
  const started = Date.now();
  const result = await runInContainer((await services.podman.get()).libpod, containerId, input.command);
  await services.audit.record({
    category: "terminal",
    action: "command_executed",
    actor: input.actor,
    agent: input.agent,
    outcome: result.exitCode === 0 ? "ok" : "error",
    details: {
      command: input.command.map((arg) => arg.slice(0, 200)),
      exitCode: result.exitCode,
      durationMs: Date.now() - started,
    },
  });
  return result;
}
