// The command line of the installers (install-openclaw.ts, install-claude-code.ts): runs `ensure`
// with `--cache-dir DIR` if given and prints its result as JSON; progress goes to stderr.
import { parseArgs } from "node:util";
import { type InstallOptions, stderrLog } from "../server/images/cached-install";

export async function runInstall(
  ensure: (options: InstallOptions) => Promise<unknown>,
  logName: string,
): Promise<void> {
  try {
    const { values } = parseArgs({ options: { "cache-dir": { type: "string" } } });
    const paths = await ensure({ cacheDir: values["cache-dir"] });
    process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
  } catch (error) {
    stderrLog(logName)(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
