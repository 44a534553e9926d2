import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { defaultSchemaPath } from "./schema-engine";

const extraModel = `
model TestWidget {
  id   String @id
  name String @unique

  @@map("test_widgets")
}
`;

/**
 * A temp dir, removed when the current test ends, holding `alteredSchemaPath`: the committed
 * schema plus a `test_widgets` table no migration covers.
 */
export function migrationTestDir(): { dir: string; alteredSchemaPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "claw-create-migration-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const alteredSchemaPath = join(dir, "schema.prisma");
  writeFileSync(alteredSchemaPath, readFileSync(defaultSchemaPath, "utf8") + extraModel);
  return { dir, alteredSchemaPath };
}
