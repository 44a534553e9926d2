import { request } from "node:http";

export type PingResult =
  | {
      ok: true /** From the Libpod-Api-Version header; absent on a Docker daemon. */;
      libpodApiVersion?: string;
    }
  | { ok: false; error: string };

/** GET /_ping on a Unix socket with a short deadline; never throws. */
export function pingPodmanSocket(socketPath: string, timeoutMs = 1_000): Promise<PingResult> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: "/_ping", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      const header = res.headers["libpod-api-version"];
      const libpodApiVersion = Array.isArray(header) ? header[0] : header;
      if (res.statusCode === 200) resolve({ ok: true, libpodApiVersion });
      else resolve({ ok: false, error: `answered HTTP ${res.statusCode} to /_ping` });
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ ok: false, error: `no answer within ${timeoutMs} ms` });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, error: describeSocketError(error) });
    });
    req.end();
  });
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "no socket there";
    case "ECONNREFUSED":
      return "socket file exists but nothing listens (a stale socket)";
    case "EACCES":
      return "permission denied";
    default:
      return error.message;
  }
}
