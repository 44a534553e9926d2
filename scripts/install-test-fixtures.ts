import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/**
 * A stand-in for npm in `dir`: an executable `npm` that runs the ES module `implOf(log)` with npm's
 * arguments. The module appends one JSON line per call to `log`; `calls()` reads them back.
 */
export function writeFakeNpm<Call>(dir: string, implOf: (log: string) => string) {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, "calls.jsonl");
  const impl = join(dir, "fake-npm.mjs");
  writeFileSync(impl, implOf(log));
  const npm = join(dir, "npm");
  writeFileSync(npm, `#!/bin/sh\nexec ${process.execPath} ${impl} "$@"\n`);
  chmodSync(npm, 0o755);
  const calls = (): Call[] =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Call)
      : [];
  return { npm, calls };
}

/** A temp dir removed when the current test ends, and the path of a cache dir inside it. */
export function tempInstallDirs(prefix: string): { work: string; cacheDir: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(work, { recursive: true, force: true }));
  return { work, cacheDir: join(work, "cache") };
}
