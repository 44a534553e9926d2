import { parseArgs } from "node:util";
import { commands } from "./commands";
import { CliError, createPanelClient, exitCodes, toCliError } from "./panel-client";

const usage = `Usage: claw [--json] [--url URL] <command>

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`)
  .join("\n")}

Options:
  --json      print machine-readable JSON
  --url URL   the panel's address (default http://127.0.0.1:$CLAW_PORT, port 7878)
  -h, --help  show this help

The CLI talks to the running panel (start it with \`npm start\`) using the token in CLAW_HOME/panel-token.`;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  const options = {
    json: { type: "boolean" },
    url: { type: "string" },
    help: { type: "boolean", short: "h" },
  } as const;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usage}`, exitCodes.usage);
  }
  const [name, ...rest] = parsed.positionals;
  if (parsed.values.help || !name || name === "help") {
    console.log(usage);
    return name || parsed.values.help ? exitCodes.ok : exitCodes.usage;
  }
  const command = commands[name];
  if (!command) throw new CliError(`Unknown command "${name}".\n\n${usage}`, exitCodes.usage);
  if (rest.length > 0)
    throw new CliError(`"${name}" takes no arguments (got: ${rest.join(" ")})`, exitCodes.usage);

  const client = await createPanelClient({ url: parsed.values.url });
  const result = await command.run(client);
  console.log(parsed.values.json ? JSON.stringify(result.json, null, 2) : result.text);
  return result.exitCode;
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
