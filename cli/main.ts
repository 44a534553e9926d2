import { parseArgs } from "node:util";
import { type CommandOptions, commands } from "./commands";
import { CliError, connectToPanel, exitCodes, toCliError } from "./panel-client";

const usage = `Usage: claw [--json] <command>

Commands:
${Object.values(commands)
  .map((command) => `  ${command.usage.padEnd(54)}${command.summary}`)
  .join("\n")}

Options:
  --json      print machine-readable JSON
  -h, --help  show this help

The CLI talks to the running panel (start it with \`npm start\`) over its socket,
CLAW_HOME/run/panel.sock: only the panel's own user can connect, and no token is sent.`;

const optionSpec = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  follow: { type: "boolean", short: "f" },
  lines: { type: "string", short: "n" },
  since: { type: "string" },
  agent: { type: "string" },
  category: { type: "string" },
  output: { type: "string", short: "o" },
  template: { type: "string" },
  name: { type: "string" },
  "no-cache": { type: "boolean" },
  "no-wait": { type: "boolean" },
  force: { type: "boolean" },
  interactive: { type: "boolean", short: "i" },
  tty: { type: "boolean", short: "t" },
  prompt: { type: "string" },
  session: { type: "string" },
  status: { type: "string" },
  offset: { type: "string" },
  limit: { type: "string" },
  "idle-hours": { type: "string" },
  "remove-workspace": { type: "boolean" },
  "base-url": { type: "string" },
  "api-key-stdin": { type: "boolean" },
  "credentials-file": { type: "string" },
  "webhook-url": { type: "string" },
  "webhook-token-file": { type: "string" },
  role: { type: "string" },
  expires: { type: "string" },
  "token-stdin": { type: "boolean" },
  "api-root": { type: "string" },
  remove: { type: "boolean" },
  jobs: { type: "boolean" },
  "no-jobs": { type: "boolean" },
  "per-hour": { type: "string" },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof optionSpec; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usage}`, exitCodes.usage);
  }
  const words = parsed.positionals;
  if (parsed.values.help || words.length === 0 || words[0] === "help") {
    console.log(usage);
    return words.length > 0 || parsed.values.help ? exitCodes.ok : exitCodes.usage;
  }
  // The longest command name the words start with: `audit tail` before `audit`.
  const name = [words.slice(0, 2).join(" "), words[0] ?? ""].find((candidate) => candidate in commands);
  const command = name ? commands[name] : undefined;
  if (!name || !command)
    throw new CliError(`Unknown command "${words.join(" ")}".\n\n${usage}`, exitCodes.usage);
  const args = words.slice(name.split(" ").length);
  const [least, most] =
    command.args === "rest"
      ? [1, Infinity]
      : command.args === "optional"
        ? [0, 1]
        : [command.args ?? 0, command.args ?? 0];
  if (args.length < least || args.length > most)
    throw new CliError(`usage: claw ${command.usage}`, exitCodes.usage);

  const {
    help: _help,
    "no-cache": noCache,
    "no-wait": noWait,
    "idle-hours": idleHours,
    "remove-workspace": removeWorkspace,
    "base-url": baseUrl,
    "api-key-stdin": apiKeyStdin,
    "credentials-file": credentialsFile,
    "webhook-url": webhookUrl,
    "webhook-token-file": webhookTokenFile,
    "token-stdin": tokenStdin,
    "api-root": apiRoot,
    "no-jobs": noJobs,
    "per-hour": perHour,
    ...rest
  } = parsed.values;
  const options: CommandOptions = {
    ...rest,
    noCache,
    noWait,
    idleHours,
    removeWorkspace,
    baseUrl,
    apiKeyStdin,
    credentialsFile,
    webhookUrl,
    webhookTokenFile,
    tokenStdin,
    apiRoot,
    noJobs,
    perHour,
    json: rest.json ?? false,
    follow: rest.follow ?? false,
  };
  return command.run(connectToPanel(), options, args);
}

const json = process.argv.includes("--json");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cliError = toCliError(error);
    if (json) console.log(JSON.stringify({ error: cliError.message }));
    else console.error(`claw: ${cliError.message}`);
    process.exit(cliError.exitCode);
  },
);
