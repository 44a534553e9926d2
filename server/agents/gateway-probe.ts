import { request } from "node:http";
import type { Socket } from "node:net";

/**
 * Asks the Gateway's `/readyz` over a tunnel from the agent's bridge. True only for a 200 within
 * the timeout; no tunnel, a closed one or a slow answer all mean "not ready yet".
 */
export async function probeGateway(claim: () => Promise<Socket>, timeoutMs = 1_500): Promise<boolean> {
  const tunnel = await claim().catch(() => undefined);
  if (!tunnel) return false;
  return new Promise((resolve) => {
    const req = request(
      {
        createConnection: () => tunnel,
        path: "/readyz",
        method: "GET",
        headers: { host: "127.0.0.1", connection: "close" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}
