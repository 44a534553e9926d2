import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes a job template for tests into CLAW_HOME/templates/jobs: the given limits, and no retries
 * (nor the non-streaming fallback), so an API error ends the job at once.
 */
export async function writeTestJobTemplate(home: string, name: string, limits: Record<string, number>) {
  const dir = join(home, "templates", "jobs");
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `${name}.yaml`),
    [
      "apiVersion: claw/v1",
      "kind: JobTemplate",
      "metadata:",
      `  name: ${name}`,
      "  description: jobs under test",
      "limits:",
      ...Object.entries(limits).map(([limit, value]) => `  ${limit}: ${value}`),
      "env:",
      '  CLAUDE_CODE_MAX_RETRIES: "0"',
      '  CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: "1"',
      "",
    ].join("\n"),
  );
}
