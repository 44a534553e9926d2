import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { homeIdOf } from "../server/agents/agent-service";
import type { RunningPanel } from "./start-panel";

const exec = promisify(execFile);

/** Resident and peak resident memory of a process, in bytes. */
export async function memoryOf(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * A container the panel takes for agent `name`'s (its name and labels), whose main process runs
 * `script`: inside a rootful user namespace an agent's shell cannot reopen the container's stdout,
 * so a flood on the main output comes from the main process itself. Hardened as an agent's is.
 */
export async function runFloodContainer(
  panel: RunningPanel,
  container: string,
  name: string,
  script: string,
) {
  await exec("podman", [
    "run",
    "-d",
    "--name",
    container,
    "--label",
    `claw.home=${homeIdOf(panel.home)}`,
    "--label",
    `claw.agent=${name}`,
    "--network",
    "none",
    "--user",
    "1000:1000",
    "--userns",
    "auto",
    "--cap-drop",
    "ALL",
    "--ulimit",
    "nofile=20000:20000",
    "--ulimit",
    "nproc=20000:20000",
    "localhost/claw-claude-code:latest",
    "sh",
    "-c",
    script,
  ]);
}
