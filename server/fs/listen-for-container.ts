import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename } from "node:fs/promises";
import type { Server } from "node:net";
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
