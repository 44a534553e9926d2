import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "../server/routers/root";
import { socketFetch } from "../shared/socket-fetch";

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
  /** CLAW_HOME/run/panel.sock, where the CLI reaches the panel. */
  socketPath: string;
  /** fetch over the panel's socket, as the CLI does (authenticated as `cli`, no token). */
  fetch: typeof fetch;
  /** A fresh one-time login code (what a login link carries), minted over the socket. */
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

  const socketPath = join(home, "run", "panel.sock");
  const overSocket = socketFetch(socketPath);
  return {
    url,
    port,
    home,
    socketPath,
    fetch: overSocket,
    token: () => mintLoginCode(overSocket),
    output: () => output,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** What `claw login-url` does: a new one-time login code from the panel's socket. */
export async function mintLoginCode(overSocket: typeof fetch): Promise<string> {
  const response = await overSocket("/api/login-code", { method: "POST", headers: { "x-claw-csrf": "1" } });
  const { url } = (await response.json()) as { url?: string };
  const code = /#code=([A-Za-z0-9_-]+)$/.exec(url ?? "")?.[1];
  if (!response.ok || !code) throw new Error(`no login code: HTTP ${response.status} ${url}`);
  return code;
}

/** POST /api/login as the login page does; the response carries the session cookie on success. */
export function loginToPanel(panel: RunningPanel, code: string): Promise<Response> {
  return fetch(`${panel.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
    body: JSON.stringify({ code }),
  });
}

/** The environment that points the `claw` CLI at this panel. */
export function cliEnvOf(panel: RunningPanel): Record<string, string> {
  // The CLI finds the panel by its socket in CLAW_HOME alone; the TCP port is not its business.
  return { CLAW_HOME: panel.home };
}

/** The typed tRPC client over the panel's socket, as the CLI has it (actor `cli`). */
export function panelClient(panel: RunningPanel) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        fetch: (input, init) =>
          panel.fetch(input, { ...init, headers: { ...init?.headers, "x-claw-csrf": "1" } }),
      }),
    ],
  });
}
export type PanelClient = ReturnType<typeof panelClient>;
