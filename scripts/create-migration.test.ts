import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations } from "../server/db/migrate";
import { createMigration, defaultSchemaPath, diffMigrationsToSchema } from "./create-migration";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const extraModel = `
model TestWidget {
  id   String @id
  name String @unique

  @@map("test_widgets")
}
`;

let dir: string;
let alteredSchemaPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claw-create-migration-"));
  alteredSchemaPath = join(dir, "schema.prisma");
  writeFileSync(alteredSchemaPath, readFileSync(defaultSchemaPath, "utf8") + extraModel);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/create-migration.ts", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
}

describe("diffMigrationsToSchema", () => {
  it("finds nothing pending for the committed schema (add a migration: npm run db:migration -- <name>)", async () => {
    expect(await diffMigrationsToSchema()).toEqual({ sql: null });
  });

  it("reports the SQL for a schema with an extra model", async () => {
    const { sql } = await diffMigrationsToSchema({ schemaPath: alteredSchemaPath });
    expect(sql).toContain('CREATE TABLE "test_widgets"');
    expect(sql).toContain('CREATE UNIQUE INDEX "test_widgets_name_key"');
    expect(sql).not.toContain('"sessions"');
  });
});

describe("createMigration", () => {
  it("starts an empty folder with the lockfile and a timestamped migration, then has nothing more to add", async () => {
    const migrationsDir = join(dir, "migrations");
    const { migrationName } = await createMigration({
      name: "Init",
      migrationsDir,
      now: new Date("2025-01-02T03:04:05Z"),
    });
    expect(migrationName).toBe("20250102030405_init");
    expect(readFileSync(join(migrationsDir, "20250102030405_init", "migration.sql"), "utf8")).toContain(
      'CREATE TABLE "sessions"',
    );
    expect(readFileSync(join(migrationsDir, "migration_lock.toml"), "utf8")).toMatch(
      /^provider = "sqlite"$/m,
    );

    expect(await createMigration({ name: "again", migrationsDir })).toEqual({
      migrationName: null,
      sql: null,
    });
    expect(readdirSync(migrationsDir)).toHaveLength(2);
  });

  it("writes a migration that applyMigrations applies and that then covers the schema", async () => {
    const migrationsDir = join(dir, "migrations");
    await createMigration({ name: "init", migrationsDir, now: new Date("2025-01-01T00:00:00Z") });
    const { migrationName } = await createMigration({
      name: "add-agents",
      migrationsDir,
      schemaPath: alteredSchemaPath,
      now: new Date("2025-01-02T00:00:00Z"),
    });
    expect(migrationName).toBe("20250102000000_add_agents");
    expect(await diffMigrationsToSchema({ migrationsDir, schemaPath: alteredSchemaPath })).toEqual({
      sql: null,
    });

    const dbPath = join(dir, "claw.db");
    expect(applyMigrations({ dbPath, migrationsDir }).applied).toEqual([
      "20250101000000_init",
      "20250102000000_add_agents",
    ]);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'test_widgets'").all()).toHaveLength(1);
    db.close();
  });

  it("rejects a name that cannot be a folder name", async () => {
    const migrationsDir = join(dir, "migrations");
    await expect(createMigration({ name: "../evil", migrationsDir })).rejects.toThrow(/letters, digits/);
    expect(existsSync(migrationsDir)).toBe(false);
  });
});

describe("npm run db:migration -- --check", () => {
  it("exits 0 for the committed schema", () => {
    const result = runCli(["--check"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/no changes/);
    expect(result.status).toBe(0);
  });

  it("exits 1 and prints the missing SQL when the schema has an uncovered change", () => {
    const result = runCli(["--check", "--schema", alteredSchemaPath]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/changes no migration covers/);
    expect(result.stderr).toContain('CREATE TABLE "test_widgets"');
  });
});
