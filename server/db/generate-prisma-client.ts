// Generates the Prisma client into server/db/generated, offline, and only when it is stale
// (setup runs it through scripts/db-generate.ts before anything imports the client).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const schemaPath = join(root, "prisma", "schema.prisma");
const outputDir = join(root, "server", "db", "generated");
const stampPath = join(outputDir, ".generate-stamp");
const require = createRequire(import.meta.url);

/**
 * Runs `prisma generate` unless the stamp in the output folder records the same schema and
 * Prisma version. Returns what happened; throws with Prisma's own output on failure.
 */
export function generatePrismaClient(): { generated: boolean; ms: number } {
  const started = performance.now();
  const prismaVersion = (require("prisma/package.json") as { version: string }).version;
  const stamp = createHash("sha256")
    .update(readFileSync(schemaPath))
    .update(`\0prisma@${prismaVersion}`)
    .digest("hex");

  const upToDate =
    existsSync(join(outputDir, "client.ts")) &&
    existsSync(stampPath) &&
    readFileSync(stampPath, "utf8").trim() === stamp;
  if (upToDate) return { generated: false, ms: performance.now() - started };

  const result = spawnSync(
    process.execPath,
    [require.resolve("prisma/build/index.js"), "generate", "--schema", schemaPath, "--no-hints"],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        // Every Prisma 7 command first fetches a schema-engine binary from outside npm; generate
        // never runs it, so pointing the variable at any existing file keeps it offline.
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? schemaPath,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  );
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    const reason = result.error ? result.error.message : `exit code ${result.status}`;
    throw new Error(`prisma generate failed (${reason})${output ? `:\n${output}` : ""}`);
  }
  // Written last, so an interrupted run is retried rather than trusted.
  writeFileSync(stampPath, `${stamp}\n`);
  return { generated: true, ms: performance.now() - started };
}
