// Runs the OpenClaw CLI of the pinned install (install-openclaw.ts) on the host, isolated from the
// caller's home and environment: how the tests ask the real OpenClaw to validate a config.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { InstallOptions } from "./cached-install";
import { defaultCacheDir, ensureOpenClaw, type OpenClawInstall } from "./install-openclaw";

export type OpenClawRun = {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
};

export type RunOpenClawOptions = {
  env?: Record<string, string | undefined>;
  /** Written to its stdin (otherwise stdin is closed). */
  input?: string;
  /** SIGTERM to its process group after this long (then SIGKILL 5 s later); default 60 s. */
  timeoutMs?: number;
  /** Kept afterwards; default: a temp dir, removed afterwards. */
  home?: string;
  cwd?: string;
  install?: InstallOptions;
};

/**
 * Not passed on to OpenClaw unless given in `env`: its own settings (so the caller's shell cannot
 * leak in), and test-runner markers — with VITEST set, OpenClaw prints nothing at all (the exit
 * code stays right); NODE_OPTIONS may carry loaders meant for the host Node.
 */
const droppedFromEnv = /^(OPENCLAW_|VITEST|JEST_WORKER_ID$|NODE_OPTIONS$|NODE_ENV$|TEST$)/;

/** One install promise per (cacheDir, npm), so repeated runOpenClaw calls check the disk once. */
const installs = new Map<string, Promise<OpenClawInstall>>();

function installOnce(options: InstallOptions = {}): Promise<OpenClawInstall> {
  const key = JSON.stringify([resolve(options.cacheDir ?? defaultCacheDir), options.npm ?? "npm"]);
  let promise = installs.get(key);
  if (!promise) {
    promise = ensureOpenClaw(options);
    installs.set(key, promise);
    promise.catch(() => installs.delete(key));
  }
  return promise;
}

/**
 * Runs the OpenClaw CLI with Node 24. HOME and the XDG dirs point into a temp dir (removed
 * afterwards unless `home` is given), so nothing is written to the real home. OPENCLAW_*, VITEST*,
 * NODE_OPTIONS, NODE_ENV and TEST of this process are not passed on: give what is needed in `env`.
 */
export async function runOpenClaw(args: string[], options: RunOpenClawOptions = {}): Promise<OpenClawRun> {
  const { nodeBinary, openclawBin } = await installOnce(options.install);
  const home = options.home ?? (await mkdtemp(join(tmpdir(), "claw-openclaw-home-")));
  const inherited = Object.entries(process.env).filter(([key]) => !droppedFromEnv.test(key));
  const merged: Record<string, string | undefined> = {
    ...Object.fromEntries(inherited),
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    ...options.env,
    PATH: `${dirname(nodeBinary)}:${options.env?.PATH ?? process.env.PATH ?? ""}`,
  };
  const env = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ) as NodeJS.ProcessEnv; // without NODE_ENV on purpose, which Next's types declare required
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    return await new Promise<OpenClawRun>((resolvePromise, reject) => {
      const child = spawn(nodeBinary, [openclawBin, ...args], {
        cwd: options.cwd ?? home,
        env,
        detached: true, // own process group, so a timeout ends what it started too
        stdio: "pipe",
      });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      let hardKill: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup("SIGTERM");
        hardKill = setTimeout(() => killGroup("SIGKILL"), 5_000);
      }, timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        clearTimeout(hardKill);
        resolvePromise({ code, signal, timedOut, stdout, stderr });
      });
      child.stdin.on("error", () => {}); // the CLI may exit without reading
      child.stdin.end(options.input); // without input: end of file at once
    });
  } finally {
    if (options.home === undefined) await rm(home, { recursive: true, force: true });
  }
}
