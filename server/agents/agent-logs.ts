import { PassThrough } from "node:stream";
import { AppError } from "../errors";
import { readContainerLogs } from "./agent-containers";
import { agentContainer, type LifecycleDeps } from "./agent-lifecycle";

/** The id of the agent's container in this home, running or not. */
async function containerIdOf(deps: LifecycleDeps, name: string): Promise<string | undefined> {
  return (await agentContainer(deps, name))?.Id;
}

/** Pure: complete lines, with the carry-over of a partial last line. */
export function splitLines(carry: string, chunk: string): { lines: string[]; carry: string } {
  const parts = (carry + chunk).split("\n");
  return { lines: parts.slice(0, -1).map((line) => line.replace(/\r$/, "")), carry: parts.at(-1) ?? "" };
}

export async function readAgentLogs(deps: LifecycleDeps, name: string, options: { tail: number }) {
  const id = await containerIdOf(deps, name);
  if (!id) return { containerId: null, lines: [] as string[] };
  const text = await readContainerLogs(await deps.docker(), id, { tail: options.tail, timestamps: true });
  const { lines, carry } = splitLines("", text);
  return { containerId: id, lines: carry ? [...lines, carry] : lines };
}

/**
 * Follows the container's output from `tail` lines back, calling `onLines` with whole lines,
 * until the signal aborts or the container's stream ends. Returns once the stream is open.
 */
export async function followAgentLogs(
  deps: LifecycleDeps,
  name: string,
  options: { tail: number; signal: AbortSignal; onLines: (lines: string[]) => void; onEnd: () => void },
) {
  const id = await containerIdOf(deps, name);
  if (!id) throw new AppError("NOT_FOUND", `${name} has no container yet`, { fix: `Start it first.` });
  const docker = await deps.docker();
  const stream = (await docker.getContainer(id).logs({
    stdout: true,
    stderr: true,
    tail: options.tail,
    timestamps: true,
    follow: true,
  })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const out = new PassThrough();
  docker.modem.demuxStream(stream, out, out);
  let carry = "";
  out.setEncoding("utf8");
  out.on("data", (chunk: string) => {
    const split = splitLines(carry, chunk);
    carry = split.carry;
    if (split.lines.length > 0) options.onLines(split.lines);
  });
  stream.on("end", options.onEnd);
  stream.on("error", options.onEnd);
  options.signal.addEventListener("abort", () => stream.destroy(), { once: true });
}
