import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureOpenClaw, installDir, OPENCLAW_VERSION } from "../server/images/install-openclaw";
import { fakeOpenClawNpm, tempInstallDirs } from "../server/images/install-test-fixtures";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** `node --import tsx scripts/install-openclaw.ts ARGS`, as setup runs it. */
const runScript = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/install-openclaw.ts", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });

describe("scripts/install-openclaw.ts", () => {
  it("prints the install's paths as JSON, finding a complete install without installing", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-install-openclaw-cli-");
    const fake = fakeOpenClawNpm(join(work, "npm"));
    await ensureOpenClaw({ cacheDir, npm: fake.npm, log: () => {} });

    // The script uses the real npm: it must find the install rather than make one.
    const cli = runScript(["--cache-dir", cacheDir]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ version: OPENCLAW_VERSION, dir: installDir(cacheDir) });
    expect(fake.calls().map((call) => call.command)).toEqual(["pack", "install"]);
  });

  it("refuses an unknown option with exit code 1 and the reason on stderr", () => {
    const cli = runScript(["--cache-dri", "/tmp/x"]);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toBe("");
    expect(cli.stderr).toMatch(/^install-openclaw: Unknown option '--cache-dri'/);
  });
});
