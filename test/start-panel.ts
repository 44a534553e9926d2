import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export type RunningPanel = {
  url: string;
  port: number;
  home: string;
  token: () => Promise<string>;
  output: () => string;
  process: ChildProcess;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
};

/** Starts the real panel (server.ts) on a free port with its own CLAW_HOME; needs a `next build`. */
export async function startPanel(
  options: { home?: string; port?: number; env?: Record<string, string> } = {},
): Promise<RunningPanel> {
  const home = options.home ?? join(await mkdtemp(join(tmpdir(), "claw-int-")), "home");
  const port = options.port ?? (await freePort());
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...options.env,
      CLAW_HOME: home,
      CLAW_PORT: String(port),
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`panel exited during start:\n${output}`);
    if (output.includes("log in at")) {
      const health = await fetch(`${url}/api/health`).catch(() => undefined);
      if (health?.ok) break;
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`panel did not start within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    port,
    home,
    token: async () => (await readFile(join(home, "panel-token"), "utf8")).trim(),
    output: () => output,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** POST /api/login as the login page does; the response carries the session cookie on success. */
export function loginToPanel(panel: RunningPanel, token: string): Promise<Response> {
  return fetch(`${panel.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
    body: JSON.stringify({ token }),
  });
}

/** The environment that points the `claw` CLI at this panel. */
export function cliEnvOf(panel: RunningPanel): Record<string, string> {
  return { CLAW_HOME: panel.home, CLAW_PORT: String(panel.port) };
}
