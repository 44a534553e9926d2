import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureOpenClaw, NODE_VERSION, OPENCLAW_VERSION } from "./install-openclaw";
import { fakeOpenClawNpm, tempInstallDirs } from "./install-test-fixtures";
import { runOpenClaw } from "./run-openclaw";

const quiet = () => {};

describe("runOpenClaw (fake npm)", () => {
  it("runs the CLI with the pinned Node, a throwaway home and only the given OPENCLAW_* variables", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-run-openclaw-");
    const fake = fakeOpenClawNpm(join(work, "npm"));
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
    const { work, cacheDir } = tempInstallDirs("claw-run-openclaw-");
    const fake = fakeOpenClawNpm(join(work, "npm"));
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
    const { work } = tempInstallDirs("claw-run-openclaw-");
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
