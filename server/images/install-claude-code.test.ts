import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLAUDE_CODE_VERSION, ensureClaudeCode, installDir } from "./install-claude-code";
import { tempInstallDirs, writeFakeNpm } from "./install-test-fixtures";

/** An npm whose `pack` makes a platform package holding a "claude" that reports `reports`. */
const makeFakeNpm = (dir: string, reports: string) =>
  writeFakeNpm<string[]>(
    dir,
    (log) => `import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + "\\n");
const dest = args[args.indexOf("--pack-destination") + 1];
const stage = mkdtempSync(join(dest, "stage-"));
mkdirSync(join(stage, "package"));
writeFileSync(join(stage, "package", "claude"), '#!/bin/sh\\necho "${reports} (Claude Code)"\\n');
chmodSync(join(stage, "package", "claude"), 0o755);
spawnSync("tar", ["-czf", join(dest, "claude.tgz"), "-C", stage, "package"]);
console.log(JSON.stringify([{ filename: "claude.tgz" }]));
`,
  );

const quiet = () => {};

describe("ensureClaudeCode (fake npm)", () => {
  it("packs the platform package once, keeps only the binary, stamps the dir, and reuses it", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-install-claude-code-");
    const fake = makeFakeNpm(join(work, "npm"), CLAUDE_CODE_VERSION);
    const first = await ensureClaudeCode({ cacheDir, npm: fake.npm, log: quiet });

    expect(first).toEqual({
      claudeBinary: join(installDir(cacheDir), "bin", "claude"),
      version: CLAUDE_CODE_VERSION,
      platformPackage: `@anthropic-ai/claude-code-linux-${process.arch}`,
      dir: installDir(cacheDir),
    });
    expect(fake.calls()).toEqual([
      expect.arrayContaining([
        "pack",
        `@anthropic-ai/claude-code-linux-${process.arch}@${CLAUDE_CODE_VERSION}`,
      ]),
    ]);
    expect(readdirSync(first.dir).sort()).toEqual([".install-complete.json", "bin"]);
    expect(readdirSync(cacheDir)).toEqual([`${CLAUDE_CODE_VERSION}-linux-${process.arch}`]);

    expect(await ensureClaudeCode({ cacheDir, npm: fake.npm, log: quiet })).toEqual(first);
    expect(fake.calls()).toHaveLength(1);
  });

  it("refuses a binary that reports another version and leaves nothing behind", async () => {
    const { work, cacheDir } = tempInstallDirs("claw-install-claude-code-");
    const fake = makeFakeNpm(join(work, "npm"), "2.0.0");
    await expect(ensureClaudeCode({ cacheDir, npm: fake.npm, log: quiet })).rejects.toThrow(
      `reports "2.0.0 (Claude Code)", expected ${CLAUDE_CODE_VERSION}`,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
