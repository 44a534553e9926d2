// What the pinned installs under <repo>/.cache/ share (install-openclaw.mjs, install-claude-code.mjs):
// a lock dir, a stamp written last, and an atomic rename into place. Plain Node ESM, no
// dependencies: it runs on the panel's Node 20 before node_modules exists.
//
// An install is built in a private temp dir next to the target, verified, stamped last and then
// renamed into place, so a reader never sees half an install and an interrupted one is redone.
// A lock dir keeps concurrent callers (parallel test files) from doing the work twice.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const STAMP = ".install-complete.json";
const LOCK_OWNER = "owner.json";
/** A lock whose owner file has not been touched for this long is taken over. */
const LOCK_STALE_MS = 60_000;
const LOCK_TOUCH_MS = 5_000;

/** True when `dir` has a stamp whose fields include `expected` and every one of `files` exists. */
async function isComplete(dir, expected, files) {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP), "utf8"));
    const matches = Object.entries(expected).every(([key, value]) => stamp[key] === value);
    return matches && files(dir).every((file) => existsSync(file));
  } catch {
    return false;
  }
}

/** Written last: a dir without it is an unfinished install. */
async function writeStamp(dir, fields, started) {
  const stamp = {
    ...fields,
    installedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  await writeFile(join(dir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Runs a command, collecting output; rejects with the output's tail on failure. */
export function exec(command, args, { cwd, env, log, echo = false } = {}) {
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

/**
 * `npm pack SPEC` and unpack the tarball's `package/` into `target` (created). npm pack runs no
 * install scripts: the right tool for packages that are plain archives of a binary.
 */
export async function unpackNpmPackage(npm, spec, target, { log } = {}) {
  const download = `${target}.download`;
  await mkdir(download, { recursive: true });
  try {
    const packed = await exec(npm, ["pack", spec, "--json", "--pack-destination", download], {
      cwd: download,
      log,
    });
    const tarball = join(download, JSON.parse(packed.stdout)[0].filename);
    await mkdir(target, { recursive: true });
    await exec("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { log });
  } finally {
    await rm(download, { recursive: true, force: true });
  }
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
async function acquireLock(lockDir, { isComplete, label, log, timeoutMs }) {
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
    if (await isComplete()) return undefined;
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
      log(`another process is installing ${label}; waiting for it`);
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

/** Progress on stderr, prefixed with the script's name. */
export function stderrLog(logName) {
  return (message) => process.stderr.write(`${logName}: ${message}\n`);
}

/**
 * Makes sure `<cacheDir>/<name>` holds a complete install; runs `spec.install(work, …)` into a temp
 * dir when it does not, then stamps it with `spec.stamp`. Complete means: that stamp, and every
 * path of `spec.files(dir)` present.
 * @param {{ defaultCacheDir: string, name: string, label: string, logName: string,
 *   stamp: Record<string, string>, files: (dir: string) => string[],
 *   install: (work: string, tools: { log: (line: string) => void, npm: string }) => Promise<void> }} spec
 * @param {{ cacheDir?: string, log?: (line: string) => void, npm?: string, lockTimeoutMs?: number }} [options]
 * @returns {Promise<string>} the install dir
 */
export async function ensureCachedInstall(spec, options = {}) {
  const { name, label } = spec;
  const complete = (dir) => isComplete(dir, spec.stamp, spec.files);
  const log = options.log ?? stderrLog(spec.logName);
  const npm = options.npm ?? "npm";
  const cacheDir = resolve(options.cacheDir ?? spec.defaultCacheDir);
  const dir = join(cacheDir, name);
  if (await complete(dir)) return dir;

  await mkdir(cacheDir, { recursive: true });
  const lock = await acquireLock(join(cacheDir, `${name}.lock`), {
    isComplete: () => complete(dir),
    label,
    log,
    timeoutMs: options.lockTimeoutMs ?? 20 * 60_000,
  });
  if (!lock) return dir;
  try {
    if (await complete(dir)) return dir;
    await removeLeftovers(cacheDir, name);
    const work = `${dir}.tmp-${process.pid}-${lock.token}`;
    await rm(work, { recursive: true, force: true });
    log(`installing into ${dir}`);
    const started = Date.now();
    try {
      await spec.install(work, { log, npm });
      await writeStamp(work, spec.stamp, started);
      if (!(await complete(work)))
        throw new Error(`the install into ${work} lacks ${spec.files(work).join(" or ")}`);
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      throw error;
    }
    // An unstamped dir at the target is an unfinished install from elsewhere: move it aside.
    if (existsSync(dir) && !(await complete(dir))) {
      const old = `${dir}.old-${process.pid}-${lock.token}`;
      await rename(dir, old);
      await rm(old, { recursive: true, force: true });
    }
    try {
      await rename(work, dir);
    } catch (error) {
      // Lost a race to a completed install (possible only after a lock takeover): use that one.
      await rm(work, { recursive: true, force: true });
      if (!(await complete(dir))) throw error;
    }
    log(`${label} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return dir;
  } finally {
    await lock.release();
  }
}

/**
 * When `moduleUrl` is the script node was started with: runs `ensure` with `--cache-dir DIR` from
 * the command line and prints its result as JSON (progress goes to stderr).
 */
export function runWhenInvoked(moduleUrl, ensure, logName) {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const at = process.argv.indexOf("--cache-dir");
  ensure(at > 0 ? { cacheDir: process.argv[at + 1] } : {})
    .then((paths) => {
      process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
    })
    .catch((error) => {
      stderrLog(logName)(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}
