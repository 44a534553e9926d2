import { exitCodes } from "./cli-error";
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

/**
 * Exits once everything written has left the process: into a pipe, writes are queued while the
 * reader is slower, and an immediate `process.exit` dropped all but the pipe's first 64 KiB.
 * (Exiting, rather than letting the loop end, leaves no idle connection or timer to wait for.)
 */
function exitWhenFlushed(code: number) {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  // Writes complete in order: these callbacks run after everything written before them.
  process.stdout.write("", flushed);
  process.stderr.write("", flushed);
}

// A reader that went away (`claw audit list | head -1`) wants nothing more: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    process.exit(error.code === "EPIPE" ? Number(process.exitCode) || exitCodes.ok : exitCodes.failed);
  });
}

const json = process.argv.includes("--json");
main(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
  const cliError = toCliError(error);
  if (json) console.log(JSON.stringify({ error: cliError.message }));
  else console.error(`claw: ${cliError.message}`);
  exitWhenFlushed(cliError.exitCode);
});
