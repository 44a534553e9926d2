import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { projectRoot } from "./start-panel";

/**
 * A built-in template as the user has it, but with the model at the fake: the one line a user
 * with their own model server would add (`baseUrl`), then `extra` lines inside the model section.
 * Saved under the built-in's name it overrides it; under `as` it is a template of its own.
 */
export async function templateAtFake(
  home: string,
  name: string,
  fakeUrl: string,
  extra = "",
  options: { as?: string; edit?: (text: string) => string } = {},
) {
  const text = await readFile(join(projectRoot, "server", "policy", "templates", `${name}.yaml`), "utf8");
  let edited = text.replace(/( {2}model:\n(?: {4}.*\n)+)/, `$1    baseUrl: ${fakeUrl}\n${extra}`);
  expect(edited).toContain(`baseUrl: ${fakeUrl}`);
  if (options.as) edited = edited.replace(`  name: ${name}\n`, `  name: ${options.as}\n`);
  if (options.edit) edited = options.edit(edited);
  await mkdir(join(home, "templates"), { recursive: true });
  await writeFile(join(home, "templates", `${options.as ?? name}.yaml`), edited);
}
