import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { migrationTestDir } from "../server/db/schema-test-fixtures";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/create-migration.ts", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
}

describe("npm run db:migration -- --check", () => {
  it("exits 0 for the committed schema", () => {
    const result = runCli(["--check"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/no changes/);
    expect(result.status).toBe(0);
  });

  it("exits 1 and prints the missing SQL when the schema has an uncovered change", () => {
    const result = runCli(["--check", "--schema", migrationTestDir().alteredSchemaPath]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/changes no migration covers/);
    expect(result.stderr).toContain('CREATE TABLE "test_widgets"');
  });
});
