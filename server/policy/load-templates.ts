import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../errors";
import { parseTemplate, TemplateError, type TemplateProblem } from "./parse-template";
import type { Template } from "./template-schema";

export const builtinTemplatesDir = fileURLToPath(new URL("./templates", import.meta.url));

export type TemplateSource = { kind: "builtin" } | { kind: "user"; path: string };

export type LoadedTemplate = {
  name: string;
  source: TemplateSource;
  /** The YAML as written: what an agent's template.yaml snapshot holds. */
  text: string;
  template?: Template;
  /** Present when the file does not parse; the list still shows it, with where it is wrong. */
  problems?: TemplateProblem[];
  /** A user template with a built-in's name replaces it. */
  overrides?: boolean;
};

async function readYamlFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  return Promise.all(
    names
      .filter((name) => /^[a-z][a-z0-9-]*\.ya?ml$/.test(name))
      .sort()
      .map(async (name) => ({ path: join(dir, name), text: await readFile(join(dir, name), "utf8") })),
  );
}

function load(file: { path: string; text: string }, source: TemplateSource): LoadedTemplate {
  const fileName = file.path.split("/").at(-1) ?? file.path;
  const name = fileName.replace(/\.ya?ml$/, "");
  try {
    const template = parseTemplate(file.text, source.kind === "builtin" ? `builtin:${fileName}` : file.path);
    if (template.metadata.name !== name) {
      return {
        name,
        source,
        text: file.text,
        problems: [
          {
            source: file.path,
            line: 1,
            column: 1,
            path: "metadata.name",
            message: `must match the file name "${name}"`,
          },
        ],
      };
    }
    return { name, source, text: file.text, template };
  } catch (error) {
    if (error instanceof TemplateError) return { name, source, text: file.text, problems: error.problems };
    throw error;
  }
}

/** Built-ins, then the user's `CLAW_HOME/templates/*.yaml`, which override built-ins by name. */
export async function listTemplates(userDir: string): Promise<LoadedTemplate[]> {
  const builtins = (await readYamlFiles(builtinTemplatesDir)).map((file) => load(file, { kind: "builtin" }));
  const users = (await readYamlFiles(userDir)).map((file) => load(file, { kind: "user", path: file.path }));
  const byName = new Map(builtins.map((template) => [template.name, template]));
  for (const user of users) byName.set(user.name, { ...user, overrides: byName.has(user.name) });
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function getTemplateOrThrow(
  userDir: string,
  name: string,
): Promise<LoadedTemplate & { template: Template }> {
  const found = (await listTemplates(userDir)).find((template) => template.name === name);
  if (!found)
    throw new AppError("NOT_FOUND", `No template named "${name}"`, {
      fix: "claw templates list shows the names",
    });
  if (!found.template) {
    throw new AppError(
      "BAD_REQUEST",
      `Template "${name}" has errors:\n${found.problems?.map((p) => `${p.source}:${p.line}:${p.column}: ${p.path} ${p.message}`).join("\n")}`,
    );
  }
  return { ...found, template: found.template };
}
