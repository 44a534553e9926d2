import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { pingPodmanSocket } from "./ping-podman-socket";

export const INSTALL_PODMAN_FIX =
  "apt-get install -y podman runc uidmap slirp4netns fuse-overlayfs catatonit";

export type StartPodmanServiceOptions = {
  socketPath: string;
  /** Records the child's pid so a later panel can end a service an earlier one left behind. */
  pidFile: string;
  /** Passed as CONTAINERS_CONF when the host needs the workaround. */
  containersConf?: string;
  podmanBinary?: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
};

export type PodmanServiceProcess = {
  socketPath: string;
  pid: number;
  /** Milliseconds from spawn until the socket answered a ping. */
  startedInMs: number;
  isRunning(): boolean;
  /** Resolves when the child has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Last lines the service wrote to stderr (its only log). */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the socket and pid file. Idempotent. */
  stop(graceMs?: number): Promise<void>;
};

const STDERR_KEEP = 8_192;

/**
 * Starts `podman system service --time=0 unix://<socketPath>` as a child of the panel and waits
 * until it answers. The service lives as long as the panel (or until `stop`).
 */
export async function startPodmanService(options: StartPodmanServiceOptions): Promise<PodmanServiceProcess> {
  const { socketPath, pidFile } = options;
  const podmanBinary = options.podmanBinary ?? "podman";
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;

  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  await stopLeftoverService(pidFile, socketPath);
  await rm(socketPath, { force: true });

  const env = { ...(options.env ?? process.env) };
  if (options.containersConf) env.CONTAINERS_CONF = options.containersConf;

  const startedAt = performance.now();
  const child = spawn(podmanBinary, ["system", "service", "--time=0", `unix://${socketPath}`], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });

  let stderr = "";
  // Keep draining stderr for the child's whole life: a full pipe would block Podman.
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });

  let failure: AppError | undefined;
  child.once("error", (error: NodeJS.ErrnoException) => {
    failure = describeSpawnError(error, podmanBinary);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    // A spawn failure emits "error" without "exit".
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });

  // If the panel exits without close(), take the service down with it instead of orphaning it.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      process.off("exit", killOnExit);
      if (running) {
        child.kill("SIGTERM");
        const ended = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        if (!ended) {
          child.kill("SIGKILL");
          await exited;
        }
      }
      // Podman removes its socket on SIGTERM, not on SIGKILL.
      await rm(socketPath, { force: true });
      await rm(pidFile, { force: true });
    })();
    return stopping;
  };

  if (child.pid !== undefined) await writeFileAtomic(pidFile, `${child.pid}\n`, 0o600);

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (failure) {
      await stop();
      throw failure;
    }
    if (!running) {
      await stop();
      const { code, signal } = await exited;
      throw new AppError(
        "UNAVAILABLE",
        `The Podman service exited (${signal ?? `code ${code}`}) before answering: ${lastErrorLine(stderr)}`,
        {
          fix: `Run \`podman system service --time=0 unix://${socketPath}\` in a terminal to see the whole error.`,
        },
      );
    }
    const ping = await pingPodmanSocket(socketPath, 1_000);
    if (ping.ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new AppError(
        "UNAVAILABLE",
        `The Podman service did not answer on ${socketPath} within ${Math.round(startTimeoutMs / 1000)} s` +
          (stderr ? `: ${lastErrorLine(stderr)}` : ""),
        { fix: "Check `podman info`; a slow first start (storage migration) can take longer, so try again." },
      );
    }
    await Promise.race([sleep(50), exited]);
  }

  return {
    socketPath,
    pid: child.pid ?? -1,
    startedInMs: Math.round(performance.now() - startedAt),
    isRunning: () => running,
    exited,
    stderrTail: () => stderr,
    stop,
  };
}

/** Ends a service an earlier panel started on the same socket and never stopped (it crashed). */
async function stopLeftoverService(pidFile: string, socketPath: string): Promise<void> {
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  // Only a pid whose command line is our service: the number may belong to someone else by now.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const args = cmdline.split("\0");
  if (args.includes("service") && args.includes(`unix://${socketPath}`)) {
    signal(pid, "SIGTERM");
    for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 50) await sleep(50);
    if (isAlive(pid)) signal(pid, "SIGKILL");
  }
  await rm(pidFile, { force: true });
}

function describeSpawnError(error: NodeJS.ErrnoException, podmanBinary: string): AppError {
  if (error.code === "ENOENT") {
    return new AppError("UNAVAILABLE", `Podman is not installed (no "${podmanBinary}" on PATH)`, {
      fix: INSTALL_PODMAN_FIX,
      cause: error,
    });
  }
  if (error.code === "EACCES") {
    return new AppError("UNAVAILABLE", `"${podmanBinary}" is not executable for this user`, {
      fix: `Check the permissions of ${podmanBinary}, or reinstall: ${INSTALL_PODMAN_FIX}`,
      cause: error,
    });
  }
  return new AppError("UNAVAILABLE", `Could not start the Podman service: ${error.message}`, {
    cause: error,
  });
}

/** The line that says what went wrong: Podman's "Error: …", else the last line it wrote. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errorLine = lines.findLast((l) => l.startsWith("Error:"));
  return (errorLine ?? lines.at(-1) ?? "no output").replace(/^Error:\s*/, "");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
