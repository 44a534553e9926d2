// Writes prisma/migrations/<UTC timestamp>_<name>/migration.sql from the difference between the
// migrations folder and prisma/schema.prisma, with the Wasm schema engine (schema-engine.ts).
// `npm run db:migration` (scripts/create-migration.ts) is its command line.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { defaultMigrationsDir } from "./migrate";
import {
  defaultSchemaPath,
  lockfileContent,
  lockfileName,
  readLockfile,
  readMigrationsList,
  withSchemaEngine,
} from "./schema-engine";

export type DiffOptions = { schemaPath?: string; migrationsDir?: string };

/**
 * SQL that takes a database built from the migrations folder to the schema, or null when the
 * migrations already cover it. Replays the migrations in an in-memory SQLite database.
 */
export async function diffMigrationsToSchema(options: DiffOptions = {}): Promise<{ sql: string | null }> {
  const schemaPath = resolve(options.schemaPath ?? defaultSchemaPath);
  const migrationsDir = resolve(options.migrationsDir ?? defaultMigrationsDir);
  const schema = readFileSync(schemaPath, "utf8");
  // A folder without a lockfile is about to get one (createMigration writes it first).
  const lockfile = readLockfile(migrationsDir) ?? lockfileContent;

  const result = await withSchemaEngine({ schemaPath }, (engine) =>
    engine.diff({
      from: { tag: "migrations", ...readMigrationsList(migrationsDir, lockfile) },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
      script: true,
      // exitCode 2 means "there is a difference", 0 means none.
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  return { sql: result.exitCode === 2 && result.stdout ? result.stdout : null };
}

const nameSchema = z
  .string()
  .trim()
  .min(1, "give the migration a name, e.g. npm run db:migration -- add_agents")
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, _ or - only")
  .transform((name) => name.toLowerCase().replaceAll("-", "_"));

/** yyyymmddHHMMSS in UTC, the prefix `prisma migrate dev` uses. */
function migrationTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * Writes `<migrationsDir>/<UTC timestamp>_<name>/migration.sql` with the SQL the schema still
 * needs. Returns the folder name, or null (and writes nothing but the lockfile) when nothing changed.
 */
export async function createMigration(
  options: DiffOptions & { name: string; now?: Date },
): Promise<{ migrationName: string | null; sql: string | null }> {
  const name = nameSchema.parse(options.name);
  const migrationsDir = resolve(options.migrationsDir ?? defaultMigrationsDir);

  mkdirSync(migrationsDir, { recursive: true });
  const lockfile = readLockfile(migrationsDir);
  if (lockfile === null) writeFileSync(join(migrationsDir, lockfileName), lockfileContent);
  else if (!/^provider\s*=\s*"sqlite"\s*$/m.test(lockfile)) {
    throw new Error(`${join(migrationsDir, lockfileName)} is not for sqlite; these migrations are not ours.`);
  }

  const { sql } = await diffMigrationsToSchema({ ...options, migrationsDir });
  if (sql === null) return { migrationName: null, sql: null };

  const migrationName = `${migrationTimestamp(options.now ?? new Date())}_${name}`;
  const dir = join(migrationsDir, migrationName);
  mkdirSync(dir);
  writeFileSync(join(dir, "migration.sql"), sql);
  return { migrationName, sql };
}
