import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./start-panel";

export type CliRun = { code: number | null; stdout: string; stderr: string };

const claw = join(projectRoot, "bin", "claw.mjs");

/** Runs the real `claw` CLI (bin/claw.mjs) with extra environment. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return run(process.execPath, [claw, ...args], env, input);
}

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), for `claw exec -it`: `input` is
 * typed into it. Resolves with the CLI's exit code (`script -e` passes it through) and all output.
 */
export function runCliInTerminal(
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<CliRun> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, claw, ...args].map(quote).join(" ");
  return run("script", ["-qefc", command, "/dev/null"], env, input);
}

function run(file: string, args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: projectRoot, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    if (input !== undefined) child.stdin.end(input);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
