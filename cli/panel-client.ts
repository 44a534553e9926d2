import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import WebSocket from "ws";
import { clawPaths, loadConfig } from "../server/config";
import type { AppRouter } from "../server/routers/root";
import { socketFetch } from "../shared/socket-fetch";
import { CliError, exitCodes } from "./cli-error";

export type PanelConnection = {
  /** CLAW_HOME/run/panel.sock: the panel listens there, and connecting is the CLI's credential. */
  socketPath: string;
  /** fetch of a panel path (`/api/…`) over the socket, with errors a person can act on. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  client: ReturnType<typeof createTRPCClient<AppRouter>>;
  /** A WebSocket to a panel path (`/ws/…`) over the same socket. */
  webSocket: (path: string) => WebSocket;
};

/** Errors of connect(2) that mean nobody listens at the path. */
const notListening = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK"]);

/**
 * The CLI reaches the panel only over its Unix socket in CLAW_HOME: no token is read or sent, and
 * nothing goes to the TCP port, where another local user could be listening while the panel is down.
 */
export function connectToPanel(): PanelConnection {
  const paths = clawPaths(loadConfig().home);
  const socketPath = paths.panelSocket;
  const overSocket = socketFetch(socketPath);

  const panelFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    headers.set("x-claw-csrf", "1");
    try {
      return await overSocket(input, { ...init, headers });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (notListening.has(code)) {
        throw new CliError(
          `The claw panel is not running: nothing listens at ${socketPath}. Start it with \`npm start\`, or set CLAW_HOME to the panel's state directory.`,
          exitCodes.panelUnreachable,
        );
      }
      if (code === "EACCES") {
        throw new CliError(
          `No permission to connect to ${socketPath}. Run claw as the user the panel runs as.`,
          exitCodes.refused,
        );
      }
      throw error;
    }
  };

  const client = createTRPCClient<AppRouter>({
    // The host is a placeholder: every request goes to the socket.
    links: [httpLink({ url: "http://localhost/api/trpc", fetch: panelFetch })],
  });
  return {
    socketPath,
    fetch: (path, init) => panelFetch(path, init),
    client,
    webSocket: (path) => new WebSocket(`ws+unix://${socketPath}:${path}`),
  };
}

export type PanelClient = PanelConnection["client"];

/** Unwraps the CliError a custom fetch threw inside tRPC's own error. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof TRPCClientError && error.cause instanceof CliError) return error.cause;
  if (error instanceof TRPCClientError) {
    const fix = (error.data as { fix?: string } | undefined)?.fix;
    return new CliError(fix ? `${error.message}\nfix: ${fix}` : error.message, exitCodes.failed);
  }
  return new CliError(error instanceof Error ? error.message : String(error), exitCodes.failed);
}
