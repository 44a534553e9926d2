import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { applyMigrations, defaultMigrationsDir, migrationChecksum } from "./migrate";
import { readMigrationsList, withSchemaEngine } from "./schema-engine";

let dir: string;
let dbPath: string;
let migrationsDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claw-migrate-"));
  dbPath = join(dir, "home", "claw.db");
  migrationsDir = join(dir, "migrations");
  cpSync(defaultMigrationsDir, migrationsDir, { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function committedMigrationNames(): string[] {
  return readMigrationsList(defaultMigrationsDir).migrationDirectories.map((m) => m.path);
}

function query<T>(sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected applyMigrations to refuse");
}

function addMigration(name: string, sql: string): void {
  mkdirSync(join(migrationsDir, name));
  writeFileSync(join(migrationsDir, name, "migration.sql"), sql);
}

describe("applyMigrations", () => {
  it("applies the committed migrations to a new database, from any cwd, and records them like Prisma", () => {
    const names = committedMigrationNames();
    expect(names.length).toBeGreaterThan(0);

    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(applyMigrations({ dbPath })).toEqual({ applied: names });
    } finally {
      process.chdir(cwd);
    }

    const tables = query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map(
      (t) => t.name,
    );
    expect(tables).toContain("sessions");
    const rows = query<{
      migration_name: string;
      checksum: string;
      finished_at: number;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = readFileSync(join(defaultMigrationsDir, row.migration_name, "migration.sql"), "utf8");
      expect(row.checksum).toBe(migrationChecksum(sql));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeTypeOf("number");
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("does nothing on a second run", () => {
    applyMigrations({ dbPath, migrationsDir });
    expect(applyMigrations({ dbPath, migrationsDir })).toEqual({ applied: [] });
    expect(query(`SELECT id FROM "_prisma_migrations"`)).toHaveLength(committedMigrationNames().length);
  });

  it("leaves the database in WAL mode", () => {
    applyMigrations({ dbPath, migrationsDir });
    expect(query<{ journal_mode: string }>("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });

  it("applies only the new migration when one is added", () => {
    applyMigrations({ dbPath, migrationsDir });
    addMigration(
      "29990101000000_add_notes",
      'CREATE TABLE "notes" ("id" TEXT NOT NULL PRIMARY KEY);\nCREATE INDEX "notes_id_idx" ON "notes"("id");\n',
    );
    expect(applyMigrations({ dbPath, migrationsDir })).toEqual({ applied: ["29990101000000_add_notes"] });
    expect(query("SELECT name FROM sqlite_master WHERE name = 'notes_id_idx'")).toHaveLength(1);
  });

  it("refuses a migration.sql edited after it was applied", () => {
    applyMigrations({ dbPath, migrationsDir });
    const [first] = committedMigrationNames();
    const file = join(migrationsDir, `${first}`, "migration.sql");
    writeFileSync(file, `${readFileSync(file, "utf8")}\nCREATE TABLE "sneaky" ("id" INTEGER);\n`);

    const error = refusal(() => applyMigrations({ dbPath, migrationsDir }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).toBe(
      `Migration ${first} was edited after it was applied to ${dbPath} (its checksum changed).`,
    );
    expect(error.fix).toMatch(/git checkout.*new migration \(npm run db:migration -- <name>\)/);
    expect(query("SELECT name FROM sqlite_master WHERE name = 'sneaky'")).toHaveLength(0);
  });

  it("does not count other line endings as an edit", () => {
    applyMigrations({ dbPath, migrationsDir });
    const [first] = committedMigrationNames();
    const file = join(migrationsDir, `${first}`, "migration.sql");
    writeFileSync(file, readFileSync(file, "utf8").replaceAll("\n", "\r\n"));
    expect(applyMigrations({ dbPath, migrationsDir })).toEqual({ applied: [] });
  });

  it("refuses a database that has a migration this folder does not know", () => {
    addMigration("29990101000000_from_the_future", 'CREATE TABLE "future" ("id" INTEGER);\n');
    applyMigrations({ dbPath, migrationsDir });
    rmSync(join(migrationsDir, "29990101000000_from_the_future"), { recursive: true });

    const error = refusal(() => applyMigrations({ dbPath, migrationsDir }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).toMatch(
      /has migration 29990101000000_from_the_future, which this version of claw does not know/,
    );
    expect(error.fix).toMatch(/restore a backup/);
  });

  it("refuses a history with a failed migration", () => {
    applyMigrations({ dbPath, migrationsDir });
    const db = new Database(dbPath);
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES ('x', 'abc', '29990101000000_broken', 'near "CREAT": syntax error', 0, 0)`,
    ).run();
    db.close();

    const error = refusal(() => applyMigrations({ dbPath, migrationsDir }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).toMatch(/migration 29990101000000_broken failed earlier.*syntax error/);
    expect(error.fix).toMatch(/backup/);
  });

  it("rolls a failing migration back completely and records nothing", () => {
    applyMigrations({ dbPath, migrationsDir });
    addMigration(
      "29990101000000_half",
      'CREATE TABLE "half" ("id" INTEGER);\nINSERT INTO "missing_table" VALUES (1);\n',
    );

    const error = refusal(() => applyMigrations({ dbPath, migrationsDir }));
    expect(error.message).toMatch(
      /migration 29990101000000_half failed .*no such table: missing_table\. Nothing of it was applied/,
    );
    expect(query("SELECT name FROM sqlite_master WHERE name = 'half'")).toHaveLength(0);
    expect(
      query(`SELECT id FROM "_prisma_migrations" WHERE migration_name = '29990101000000_half'`),
    ).toHaveLength(0);

    writeFileSync(
      join(migrationsDir, "29990101000000_half", "migration.sql"),
      'CREATE TABLE "half" ("id" INTEGER);\n',
    );
    expect(applyMigrations({ dbPath, migrationsDir })).toEqual({ applied: ["29990101000000_half"] });
  });

  it("refuses a migration that would leave broken foreign keys", () => {
    addMigration(
      "29990101000000_fk",
      'CREATE TABLE "parent" ("id" INTEGER PRIMARY KEY);\nCREATE TABLE "child" ("parent_id" INTEGER REFERENCES "parent"("id"));\nINSERT INTO "child" VALUES (42);\n',
    );
    const error = refusal(() => applyMigrations({ dbPath, migrationsDir }));
    expect(error.message).toMatch(/foreign key violation/);
    expect(query("SELECT name FROM sqlite_master WHERE name = 'child'")).toHaveLength(0);
  });

  it("is read by Prisma's own schema engine as a clean history, and an edit as an edit", async () => {
    applyMigrations({ dbPath, migrationsDir });
    const diagnose = () =>
      withSchemaEngine({ dbUrl: `file:${dbPath}` }, (engine) =>
        engine.diagnoseMigrationHistory({
          migrationsList: readMigrationsList(migrationsDir),
          optInToShadowDatabase: false,
          filters: { externalTables: [], externalEnums: [] },
        }),
      );
    expect(await diagnose()).toMatchObject({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });

    const [first] = committedMigrationNames();
    writeFileSync(join(migrationsDir, `${first}`, "migration.sql"), "-- edited\n");
    expect((await diagnose()).editedMigrationNames).toEqual([first]);
  });
});
