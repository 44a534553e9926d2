import { parseCommandLine } from "./command-line";
import { commands } from "./commands";
import { connectToPanel, toCliError } from "./panel-client";

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv, commands);
  if ("help" in line) {
    console.log(line.help);
    return line.exitCode;
  }
  return line.command.run(connectToPanel(), line.options, line.args);
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
