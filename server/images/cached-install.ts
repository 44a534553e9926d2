// What the pinned installs under <repo>/.cache/ share (install-openclaw.ts, install-claude-code.ts):
// a lock dir, a stamp written last, and an atomic rename into place.
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

export type InstallLog = (line: string) => void;

export type InstallOptions = {
  /** Where installs live; defaults to the install's dir under <repo>/.cache. */
  cacheDir?: string;
  /** Progress lines; defaults to stderr. */
  log?: InstallLog;
  /** The npm to fetch with (tests pass a fake). */
  npm?: string;
  /** How long to wait for another process's install. */
  lockTimeoutMs?: number;
};

/** One install under the cache dir: what it is called, how it is recognised and how it is made. */
export type CachedInstallSpec = {
  defaultCacheDir: string;
  /** The install dir's name under the cache dir, e.g. `2026.9.6-node24.21.0`. */
  name: string;
  /** For people, e.g. "OpenClaw 2026.9.6 on Node 24.21.0". */
  label: string;
  /** Prefix of the progress lines on stderr. */
  logName: string;
  /** Written into the stamp; an install whose stamp differs is redone. */
  stamp: Record<string, string>;
  /** Paths that must exist in a complete install dir. */
  files: (dir: string) => string[];
  install: (work: string, tools: { log: InstallLog; npm: string }) => Promise<void>;
};

const STAMP = ".install-complete.json";
const LOCK_OWNER = "owner.json";
/** A lock whose owner file has not been touched for this long is taken over. */
const LOCK_STALE_MS = 60_000;
const LOCK_TOUCH_MS = 5_000;

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** True when `dir` has a stamp whose fields include `expected` and every one of `files` exists. */
async function isComplete(
  dir: string,
  expected: Record<string, string>,
  files: (dir: string) => string[],
): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP), "utf8")) as Record<string, unknown>;
    const matches = Object.entries(expected).every(([key, value]) => stamp[key] === value);
    return matches && files(dir).every((file) => existsSync(file));
  } catch {
    return false;
  }
}

/** Written last: a dir without it is an unfinished install. */
async function writeStamp(dir: string, fields: Record<string, string>, started: number): Promise<void> {
  const stamp = {
    ...fields,
    installedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  await writeFile(join(dir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Runs a command, collecting output; rejects with the output's tail on failure. */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log?: InstallLog; echo?: boolean } = {},
): Promise<{ stdout: string; stderr: string }> {
  const { cwd, env, log, echo = false } = options;
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
export async function unpackNpmPackage(
  npm: string,
  spec: string,
  target: string,
  { log }: { log?: InstallLog } = {},
): Promise<void> {
  const download = `${target}.download`;
  await mkdir(download, { recursive: true });
  try {
    const packed = await exec(npm, ["pack", spec, "--json", "--pack-destination", download], {
      cwd: download,
      log,
    });
    const [first] = JSON.parse(packed.stdout) as { filename: string }[];
    if (!first) throw new Error(`npm pack ${spec} reported no tarball`);
    await mkdir(target, { recursive: true });
    await exec("tar", ["-xzf", join(download, first.filename), "-C", target, "--strip-components=1"], {
      log,
    });
  } finally {
    await rm(download, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === "EPERM";
  }
}

async function lockIsStale(lockDir: string): Promise<boolean> {
  const ownerPath = join(lockDir, LOCK_OWNER);
  try {
    const owner = JSON.parse(await readFile(ownerPath, "utf8")) as { host?: string; pid?: number };
    if (owner.host === hostname() && typeof owner.pid === "number" && !pidAlive(owner.pid)) return true;
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

const sleep = (ms: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

type Lock = { token: string; release: () => Promise<void> };

/**
 * Takes the lock dir, or returns undefined once another caller has finished the install.
 * Correctness does not depend on the lock (the final rename does); it only avoids double work.
 */
async function acquireLock(
  lockDir: string,
  options: { isComplete: () => Promise<boolean>; label: string; log: InstallLog; timeoutMs: number },
): Promise<Lock | undefined> {
  const { label, log, timeoutMs } = options;
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
            const owner = JSON.parse(await readFile(join(lockDir, LOCK_OWNER), "utf8")) as { token?: string };
            if (owner.token !== token) return; // taken over: not ours to remove
          } catch {
            return;
          }
          await rm(lockDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (errnoOf(error) !== "EEXIST") throw error;
    }
    if (await options.isComplete()) return undefined;
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
async function removeLeftovers(cacheDir: string, name: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return;
  }
  const leftover = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(?:tmp|old)-(\\d+)-`);
  for (const entry of entries) {
    const match = leftover.exec(entry);
    if (match && !(Number(match[1]) !== process.pid && pidAlive(Number(match[1])))) {
      await rm(join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

/** Progress on stderr, prefixed with the installer's name. */
export function stderrLog(logName: string): InstallLog {
  return (message) => process.stderr.write(`${logName}: ${message}\n`);
}

/**
 * Makes sure `<cacheDir>/<name>` holds a complete install; runs `spec.install(work, …)` into a temp
 * dir when it does not, then stamps it with `spec.stamp`. Complete means: that stamp, and every
 * path of `spec.files(dir)` present. Returns the install dir.
 */
export async function ensureCachedInstall(
  spec: CachedInstallSpec,
  options: InstallOptions = {},
): Promise<string> {
  const { name, label } = spec;
  const complete = (dir: string) => isComplete(dir, spec.stamp, spec.files);
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
