import { readFile } from "node:fs/promises";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { clawPaths, loadConfig } from "../server/config";
import type { AppRouter } from "../server/routers/root";

/** An error the CLI prints as is, with the exit code it should end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const exitCodes = { ok: 0, failed: 1, usage: 2, panelUnreachable: 3, refused: 4 } as const;

export type PanelConnection = {
  url: string;
  /** fetch with the panel token and the API header, and errors a person can act on. */
  fetch: typeof fetch;
  client: ReturnType<typeof createTRPCClient<AppRouter>>;
  /** The panel token, for the WebSocket a terminal opens (fetch adds it itself). */
  token: string;
};

export async function connectToPanel(options: { url?: string } = {}): Promise<PanelConnection> {
  const config = loadConfig();
  const paths = clawPaths(config.home);
  const url = (options.url ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, "");
  const token = await readFile(paths.panelToken, "utf8").then(
    (text) => text.trim(),
    () => {
      throw new CliError(
        `No panel token at ${paths.panelToken}. Start the panel with \`npm start\` (it creates the token), or set CLAW_HOME to the panel's state directory.`,
        exitCodes.panelUnreachable,
      );
    },
  );

  /** Turns the gate's plain HTTP refusals into messages a person can act on. */
  const panelFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${token}`);
    headers.set("x-claw-csrf", "1");
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers });
    } catch {
      throw new CliError(
        `The claw panel is not running at ${url}. Start it with \`npm start\` (or set CLAW_PORT if it uses another port).`,
        exitCodes.panelUnreachable,
      );
    }
    if (response.status === 401 || response.status === 429) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new CliError(
        `The panel at ${url} refused the token from ${paths.panelToken}: ${body.error ?? response.statusText}. Is CLAW_HOME the one the panel uses?`,
        exitCodes.refused,
      );
    }
    return response;
  };

  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/api/trpc`, fetch: panelFetch })],
  });
  return { url, fetch: panelFetch, client, token };
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
