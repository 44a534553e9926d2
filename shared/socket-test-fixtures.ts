import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/**
 * An HTTP server on `<temp home>/run/panel.sock`, where the CLI looks for the panel; closed and
 * removed when the current test ends.
 */
export async function panelOnSocket(handler: RequestListener): Promise<{ home: string; socketPath: string }> {
  const home = mkdtempSync(join(tmpdir(), "claw-cli-"));
  mkdirSync(join(home, "run"));
  const socketPath = join(home, "run", "panel.sock");
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });
  return { home, socketPath };
}

/** A request as the server saw it. */
export type SeenRequest = { method: string; url: string; headers: Record<string, unknown>; body: string };

export function readRequest(request: Parameters<RequestListener>[0]): Promise<SeenRequest> {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () =>
      resolve({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body }),
    );
  });
}
