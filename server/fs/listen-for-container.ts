import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import type { Server, Socket } from "node:net";
import { basename, dirname, join } from "node:path";

/**
 * Listens on `socketPath` for a container that dials in. The socket's directory must exist and is
 * the panel's, mounted read-only into the container (0755). The socket is bound and made
 * connectable (0666: the container's uid is a mapped one; the agent's or session's 0700 directory
 * keeps other local users out) in a sibling directory no container sees, then renamed into place,
 * replacing whatever is there: no chmod or unlink by a path an agent might have reached.
 */
export async function listenForContainer(server: Server, socketPath: string): Promise<void> {
  const dir = dirname(socketPath);
  await chmod(dir, 0o755);
  const staging = join(dirname(dir), `.${basename(dir)}-staging`);
  await mkdir(staging, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  await chmod(staging, 0o700);
  const staged = join(staging, `${randomBytes(6).toString("hex")}.sock`);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(staged, () => {
      server.off("error", reject);
      resolve();
    });
  });
  try {
    await chmod(staged, 0o666);
    await rename(staged, socketPath);
  } catch (error) {
    server.close();
    throw error;
  }
}

/**
 * A proxy's server for one container: at most `maxConnections` at once (each holds sockets and
 * buffers in the panel), listening as `listenForContainer` says (its directory made 0755 first).
 * `close` ends every connection, stops listening and removes the socket.
 */
export async function serveForContainer(
  server: Server,
  socketPath: string,
  options: { maxConnections: number },
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.maxConnections = options.maxConnections;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 });
  await listenForContainer(server, socketPath);
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}
