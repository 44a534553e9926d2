// npm run db:migration: writes prisma/migrations/<UTC timestamp>_<name>/migration.sql for what
// prisma/schema.prisma has and the migrations do not (server/db/create-migration.ts does the work).
//
//   npm run db:migration -- <name>     write a new migration (or say "no changes")
//   npm run db:migration -- --check    exit 1 and print the SQL when no migration covers the schema
//   (either takes --schema <path> to use another schema file)
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createMigration, diffMigrationsToSchema } from "../server/db/create-migration";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { check: { type: "boolean", default: false }, schema: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new Error(`one migration name please, got: ${positionals.join(" ")}`);
  const schemaPath = values.schema ? resolve(values.schema) : undefined;

  if (values.check) {
    const { sql } = await diffMigrationsToSchema({ schemaPath });
    if (sql === null) {
      console.log("db:migration --check: no changes; the migrations cover schema.prisma");
      return 0;
    }
    console.error(
      "db:migration --check: schema.prisma has changes no migration covers. " +
        "Run `npm run db:migration -- <name>` and commit the result. Missing SQL:\n",
    );
    console.error(sql);
    return 1;
  }

  const started = performance.now();
  const { migrationName, sql } = await createMigration({ name: positionals[0] ?? "", schemaPath });
  if (migrationName === null || sql === null) {
    console.log("db:migration: no changes; schema.prisma matches the migrations");
    return 0;
  }
  console.log(
    `db:migration: wrote prisma/migrations/${migrationName}/migration.sql in ${Math.round(performance.now() - started)} ms`,
  );
  console.log(sql);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((issue) => issue.message).join("; ")
        : error instanceof Error
          ? error.message
          : String(error);
    console.error(`db:migration: ${message}`);
    process.exit(1);
  },
);
