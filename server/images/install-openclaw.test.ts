import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureOpenClaw, installDir, NODE_VERSION, OPENCLAW_VERSION } from "./install-openclaw";
import { fakeOpenClawNpm, tempInstallDirs } from "./install-test-fixtures";

/** For child processes, which load the TypeScript through tsx (resolved from the repo root). */
const moduleUrl = new URL("./install-openclaw.ts", import.meta.url).href;
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const quiet = () => {};

describe("ensureOpenClaw (fake npm)", () => {
  it("installs Node and OpenClaw once, stamps the dir, and reuses it", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-install-openclaw-");
    const fake = fakeOpenClawNpm(join(work, "npm"));
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
    const { work, cacheDir } = tempInstallDirs("claw-install-openclaw-");
    const fake = fakeOpenClawNpm(join(work, "npm"), { delayMs: 1500 });
    const child = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(moduleUrl)});
             const r = await m.ensureOpenClaw({ cacheDir: ${JSON.stringify(cacheDir)}, npm: ${JSON.stringify(fake.npm)} });
             console.log(JSON.stringify(r));`,
          ],
          { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
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
    const { work, cacheDir } = tempInstallDirs("claw-install-openclaw-");
    const failing = fakeOpenClawNpm(join(work, "npm-failing"), { fail: true });
    await expect(ensureOpenClaw({ cacheDir, npm: failing.npm, log: quiet })).rejects.toThrow(
      /simulated failure/,
    );
    expect(readdirSync(cacheDir)).toEqual([]);

    const good = fakeOpenClawNpm(join(work, "npm-good"));
    const installed = await ensureOpenClaw({ cacheDir, npm: good.npm, log: quiet });
    expect(existsSync(join(installed.dir, ".install-complete.json"))).toBe(true);
  });

  it("redoes an interrupted install and takes over the lock of a dead installer", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-install-openclaw-");
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
      JSON.stringify({ pid: deadPid, host: hostname(), token: "x" }),
    );

    const fake = fakeOpenClawNpm(join(work, "npm"));
    const lines: string[] = [];
    const installed = await ensureOpenClaw({ cacheDir, npm: fake.npm, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("stale install lock"))).toBe(true);
    expect(installed.dir).toBe(dir);
    expect(existsSync(join(dir, ".install-complete.json"))).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([name]);
  });
});
