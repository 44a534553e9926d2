// Pure: the command line (process.argv without node and the script) read into the command to run,
// its arguments and options, or the help to print.
import { parseArgs } from "node:util";
import { CliError, exitCodes } from "./cli-error";
import { type Command, type CommandOptions, optionSpec } from "./command";

export type CommandLine =
  | { help: string; exitCode: number }
  | { name: string; command: Command; args: string[]; options: CommandOptions };

export function usageText(commands: Record<string, Command>): string {
  return `Usage: claw [--json] <command>

Commands:
${Object.values(commands)
  .map((command) => `  ${command.usage.padEnd(52)}  ${command.summary}`)
  .join("\n")}

Options:
  --json      print machine-readable JSON
  -h, --help  show this help

The CLI talks to the running panel (start it with \`npm start\`) over its socket,
CLAW_HOME/run/panel.sock: only the panel's own user can connect, and no token is sent.`;
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** parseArgs' values under the names CommandOptions gives them (`no-cache` → `noCache`). */
export function toCommandOptions(values: Record<string, string | boolean | undefined>): CommandOptions {
  const named = Object.entries(values)
    .filter(([name]) => name !== "help")
    .map(([name, value]) => [camelCase(name), value]);
  return {
    ...(Object.fromEntries(named) as Partial<CommandOptions>),
    json: values.json === true,
    follow: values.follow === true,
  };
}

/** Throws a CliError with exit code 2 (usage) for what is not a command line of these commands. */
export function parseCommandLine(argv: string[], commands: Record<string, Command>): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof optionSpec; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usageText(commands)}`, exitCodes.usage);
  }
  const words = parsed.positionals;
  if (parsed.values.help || words.length === 0 || words[0] === "help") {
    const asked = words.length > 0 || parsed.values.help === true;
    return { help: usageText(commands), exitCode: asked ? exitCodes.ok : exitCodes.usage };
  }
  // The longest command name the words start with: `audit tail` before `audit`.
  const name = [words.slice(0, 2).join(" "), words[0] ?? ""].find((candidate) => candidate in commands);
  const command = name ? commands[name] : undefined;
  if (!name || !command)
    throw new CliError(`Unknown command "${words.join(" ")}".\n\n${usageText(commands)}`, exitCodes.usage);
  const args = words.slice(name.split(" ").length);
  const [least, most] =
    command.args === "rest"
      ? [1, Infinity]
      : command.args === "optional"
        ? [0, 1]
        : [command.args ?? 0, command.args ?? 0];
  if (args.length < least || args.length > most)
    throw new CliError(`usage: claw ${command.usage}`, exitCodes.usage);
  return { name, command, args, options: toCommandOptions(parsed.values) };
}
