import { chmod, lstat, mkdir, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import type { Duplex } from "node:stream";
import { AppError } from "../errors";

/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const maxSocketPathBytes = 107;

export type SocketHandlers = {
  handleSocketRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
};

/**
 * Listens on CLAW_HOME/run/panel.sock for the CLI. Who can connect is decided by the file system:
 * the directory is the owner's alone (0700, checked, not followed if a link) and the socket 0600,
 * so no token ever crosses the wire. A socket left by a panel that died is replaced: the caller
 * already holds CLAW_HOME's claim, so no other panel is listening on it.
 */
export async function listenOnPanelSocket(path: string, handlers: SocketHandlers): Promise<Server> {
  if (Buffer.byteLength(path) > maxSocketPathBytes) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `The panel's socket path ${path} is too long for a Unix socket`,
      {
        fix: "Set CLAW_HOME to a shorter path (the socket lives at CLAW_HOME/run/panel.sock).",
      },
    );
  }
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== process.getuid?.()) {
    throw new AppError("CONFLICT", `${dir} is not a directory of this user`, {
      fix: `Remove it (it should be a plain directory that claw creates), then start the panel again.`,
    });
  }
  await chmod(dir, 0o700);
  await rm(path, { force: true });

  const server = createServer((req, res) => void handlers.handleSocketRequest(req, res));
  server.on("upgrade", handlers.handleSocketUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return server;
}
