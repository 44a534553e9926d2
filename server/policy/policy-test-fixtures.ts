import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinTemplatesDir } from "./load-templates";
import { parseTemplate } from "./parse-template";

export const builtinNames = ["coder", "devops", "reviewer", "security"] as const;
export const testImage = { ref: "localhost/claw-openclaw-agent:latest", digest: `sha256:${"ab".repeat(32)}` };

export function builtinText(name: string): string {
  return readFileSync(join(builtinTemplatesDir, `${name}.yaml`), "utf8");
}

export function builtinTemplate(name: string) {
  return parseTemplate(builtinText(name), `builtin:${name}.yaml`);
}
