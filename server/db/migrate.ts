import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { AppError } from "../errors";

/**
 * Resolved from this file, not the cwd, so start-up works wherever claw is launched from.
 * Only valid while this file runs from its source location (tsx), not from a bundle.
 */
export const defaultMigrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// Prisma's own bookkeeping table, column for column, so `prisma migrate status` and the schema
// engine read our history as theirs.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

type MigrationRow = {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  logs: string | null;
};

type MigrationFolder = { name: string; sql: string };

const newMigrationHint = "put the change in a new migration (npm run db:migration -- <name>)";

/** sha256 hex of migration.sql, the checksum Prisma records. */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Like Prisma: a checkout with other line endings (git autocrlf) is not an edit. */
function matchesChecksum(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n")];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}

/** The migration folders' names, in the order they apply (their names start with a UTC timestamp). */
export function migrationFolderNames(migrationsDir: string): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readMigrationFolders(migrationsDir: string): MigrationFolder[] {
  let names: string[];
  try {
    names = migrationFolderNames(migrationsDir);
  } catch (error) {
    throw new AppError("INTERNAL", `Cannot read the database migrations at ${migrationsDir}.`, {
      fix: "The claw installation is incomplete; reinstall it or pass the right migrations folder.",
      cause: error,
    });
  }
  return names.map((name) => {
    const file = join(migrationsDir, name, "migration.sql");
    try {
      return { name, sql: readFileSync(file, "utf8") };
    } catch (error) {
      throw new AppError("INTERNAL", `Migration ${name} has no readable migration.sql (${file}).`, {
        fix: "Restore the file from version control or remove the empty folder.",
        cause: error,
      });
    }
  });
}

/** Refuses a history this code cannot safely build on; see the fix in each error. */
function checkHistory(rows: MigrationRow[], folders: MigrationFolder[], dbPath: string): void {
  const byName = new Map(folders.map((folder) => [folder.name, folder]));
  for (const row of rows) {
    if (row.finished_at === null) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `Database migration ${row.migration_name} failed earlier in ${dbPath}; claw will not build on a half-applied schema.${row.logs ? ` Its log: ${row.logs}` : ""}`,
        {
          fix: `Restore ${dbPath} from a backup, or, if it is disposable, delete it (claw recreates it on start).`,
        },
      );
    }
    const folder = byName.get(row.migration_name);
    if (!folder) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `Database ${dbPath} has migration ${row.migration_name}, which this version of claw does not know: it was created by a newer or different claw.`,
        { fix: "Run the claw version that created this database, or restore a backup made with this one." },
      );
    }
    if (!matchesChecksum(folder.sql, row.checksum)) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `Migration ${row.migration_name} was edited after it was applied to ${dbPath} (its checksum changed).`,
        {
          fix: `Restore prisma/migrations/${row.migration_name}/migration.sql to what was applied (e.g. git checkout) and ${newMigrationHint}.`,
        },
      );
    }
  }
}

/**
 * Applies the pending migrations (folder name order) to the SQLite database at `dbPath`, recording
 * each in Prisma's `_prisma_migrations` table. Synchronous, no Prisma engine involved.
 * Each migration and its record commit together, so a failure leaves the database as it was.
 */
export function applyMigrations(options: { dbPath: string; migrationsDir?: string }): { applied: string[] } {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const folders = readMigrationFolders(migrationsDir);

  mkdirSync(dirname(options.dbPath), { recursive: true, mode: 0o700 });
  const db = new Database(options.dbPath, { timeout: 5000 });
  try {
    // WAL lets the panel read while a writer works; the mode is stored in the file itself.
    db.pragma("journal_mode = WAL");
    // Prisma's table redefinitions (SQLite's 12-step ALTER) need foreign keys off outside the
    // transaction; integrity is checked with foreign_key_check before each commit instead.
    db.pragma("foreign_keys = OFF");
    db.exec(createMigrationsTable);

    // Rolled-back rows are an audit trail only, as for Prisma.
    const rows = db
      .prepare(
        `SELECT migration_name, checksum, finished_at, logs FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
      )
      .all() as MigrationRow[];
    checkHistory(rows, folders, options.dbPath);

    const done = new Set(rows.map((row) => row.migration_name));
    const insert = db.prepare(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
    );
    const recorded = db.prepare(
      `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND rolled_back_at IS NULL`,
    );
    const applied: string[] = [];
    for (const folder of folders) {
      if (done.has(folder.name)) continue;
      // IMMEDIATE takes the write lock first; a second claw starting at the same moment then
      // waits, sees the record and skips instead of failing on "table already exists".
      const apply = db.transaction((): boolean => {
        if (recorded.get(folder.name)) return false;
        const startedAt = Date.now();
        db.exec(folder.sql);
        const violations = db.pragma("foreign_key_check") as unknown[];
        if (violations.length > 0) {
          throw new Error(`it leaves ${violations.length} foreign key violation(s)`);
        }
        // Unix milliseconds, the format Prisma's own engine stores on SQLite.
        insert.run(randomUUID(), migrationChecksum(folder.sql), Date.now(), folder.name, startedAt);
        return true;
      });
      let didApply: boolean;
      try {
        didApply = apply.immediate();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new AppError(
          "PRECONDITION_FAILED",
          `Database migration ${folder.name} failed on ${options.dbPath}: ${reason}. Nothing of it was applied.`,
          {
            fix: `Fix prisma/migrations/${folder.name}/migration.sql if it is new; otherwise report this as a bug.`,
            cause: error,
          },
        );
      }
      if (didApply) applied.push(folder.name);
    }
    return { applied };
  } finally {
    db.close();
  }
}
