import { AppError } from "../errors";
import { readLogLines, readLogTail } from "../podman/log-stream";
import { agentContainer, type LifecycleDeps } from "./agent-lifecycle";

/** The id of the agent's container in this home, running or not. */
async function containerIdOf(deps: LifecycleDeps, name: string): Promise<string | undefined> {
  return (await agentContainer(deps, name))?.Id;
}

/** The last `tail` lines of the agent's container (see `readLogTail` for the bounds). */
export async function readAgentLogs(deps: LifecycleDeps, name: string, options: { tail: number }) {
  const id = await containerIdOf(deps, name);
  if (!id) return { containerId: null, lines: [] as string[] };
  return {
    containerId: id,
    lines: await readLogTail(await deps.libpod(), id, { ...options, timestamps: true }),
  };
}

export type FollowLogsOptions = {
  tail: number;
  signal: AbortSignal;
  onLines: (lines: string[]) => void;
  onEnd: () => void;
};

/**
 * Follows the container's output from `tail` lines back, calling `onLines` with whole lines,
 * until the signal aborts or the container's stream ends. Returns once the stream is open.
 */
export async function followAgentLogs(deps: LifecycleDeps, name: string, options: FollowLogsOptions) {
  const id = await containerIdOf(deps, name);
  if (!id) throw new AppError("NOT_FOUND", `${name} has no container yet`, { fix: `Start it first.` });
  const stream = await (await deps.libpod()).openLogs(id, {
    tail: options.tail,
    follow: true,
    timestamps: true,
  });
  readLogLines(stream, options);
  if (options.signal.aborted) stream.destroy();
  else options.signal.addEventListener("abort", () => stream.destroy(), { once: true });
}
