import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinTemplatesDir } from "./load-templates";
import { parseTemplate, TemplateError } from "./parse-template";

export const builtinNames = ["coder", "devops", "reviewer", "security"] as const;
export const testImage = { ref: "localhost/claw-openclaw-agent:latest", digest: `sha256:${"ab".repeat(32)}` };

export function builtinText(name: string): string {
  return readFileSync(join(builtinTemplatesDir, `${name}.yaml`), "utf8");
}

export function builtinTemplate(name: string) {
  return parseTemplate(builtinText(name), `builtin:${name}.yaml`);
}

/** The problems parseTemplate finds in `text` (none: an empty list). */
export function problemsOf(text: string) {
  try {
    parseTemplate(text, "t.yaml");
  } catch (error) {
    if (error instanceof TemplateError) return error.problems;
    throw error;
  }
  return [];
}
