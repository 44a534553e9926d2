import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createMigration, diffMigrationsToSchema } from "./create-migration";
import { applyMigrations } from "./migrate";
import { migrationTestDir } from "./schema-test-fixtures";

describe("diffMigrationsToSchema", () => {
  it("finds nothing pending for the committed schema (add a migration: npm run db:migration -- <name>)", async () => {
    expect(await diffMigrationsToSchema()).toEqual({ sql: null });
  });

  it("reports the SQL for a schema with an extra model", async () => {
    const { alteredSchemaPath } = migrationTestDir();
    const { sql } = await diffMigrationsToSchema({ schemaPath: alteredSchemaPath });
    expect(sql).toContain('CREATE TABLE "test_widgets"');
    expect(sql).toContain('CREATE UNIQUE INDEX "test_widgets_name_key"');
    expect(sql).not.toContain('"sessions"');
  });
});

describe("createMigration", () => {
  it("starts an empty folder with the lockfile and a timestamped migration, then has nothing more to add", async () => {
    const { dir } = migrationTestDir();
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
    const { dir, alteredSchemaPath } = migrationTestDir();
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
    const { dir } = migrationTestDir();
    const migrationsDir = join(dir, "migrations");
    await expect(createMigration({ name: "../evil", migrationsDir })).rejects.toThrow(/letters, digits/);
    expect(existsSync(migrationsDir)).toBe(false);
  });
});
