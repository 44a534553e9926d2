import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { runCli } from "./run-cli";
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

/**
 * One chat turn through the agent's Gateway, as its Control UI would send it: `openclaw agent`, the
 * Gateway's own client, run in the container with `claw exec`. `reply()` is the model's answer.
 */
export async function chatWithAgent(env: Record<string, string>, name: string, message: string) {
  const run = await runCli(
    [
      "exec",
      name,
      "--",
      "openclaw",
      "agent",
      "--agent",
      name,
      "--message",
      message,
      "--json",
      "--timeout",
      "120",
    ],
    env,
  );
  return {
    ...run,
    reply: () =>
      (JSON.parse(run.stdout) as { result: { payloads: { text: string }[] } }).result.payloads
        .map((p) => p.text)
        .join(""),
  };
}
