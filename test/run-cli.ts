import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./start-panel";

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** Runs the real `claw` CLI (bin/claw.mjs) with extra environment. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, "bin", "claw.mjs"), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
    });
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
