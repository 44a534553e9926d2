import { spawn } from "node:child_process";
import { AppError } from "../errors";

export type RunCommandOptions = {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each output line (stdout and stderr), as it arrives. */
  onLine?: (line: string) => void;
  /** Piped into stdin (e.g. a tar stream); stdin is closed when absent. */
  stdin?: NodeJS.ReadableStream;
  /** What the person should do when it fails. */
  fix: string;
};

export type RunCommandResult = { stdout: string; stderr: string };

/** Lines kept for the error message of a failed command. */
const tailLines = 30;

/** Runs a command to completion; rejects with an AppError holding the output's tail on failure. */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions,
): Promise<RunCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const tail: string[] = [];
    const lineSplitter = () => {
      let partial = "";
      return {
        push(chunk: string) {
          const lines = (partial + chunk).split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) emit(line);
        },
        flush() {
          if (partial) emit(partial);
          partial = "";
        },
      };
    };
    const emit = (line: string) => {
      const clean = line.replace(/\r$/, "");
      tail.push(clean);
      if (tail.length > tailLines) tail.shift();
      options.onLine?.(clean);
    };
    const out = lineSplitter();
    const err = lineSplitter();
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      out.push(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      err.push(chunk);
    });
    child.stdin.on("error", () => {}); // the command may exit without reading everything
    if (options.stdin) options.stdin.pipe(child.stdin);
    else child.stdin.end();
    child.on("error", (error) => {
      reject(
        new AppError("UNAVAILABLE", `Could not run ${command}: ${error.message}`, {
          fix: options.fix,
          cause: error,
        }),
      );
    });
    child.on("close", (code, signal) => {
      out.flush();
      err.flush();
      if (code === 0) return resolve({ stdout, stderr });
      const how = signal ? `killed by ${signal}` : `exit ${code}`;
      const output = tail.filter((line) => line.trim()).join("\n");
      reject(
        new AppError(
          "INTERNAL",
          `${command} ${args.join(" ")} failed (${how})${output ? `:\n${output}` : ""}`,
          {
            fix: options.fix,
          },
        ),
      );
    });
  });
}
