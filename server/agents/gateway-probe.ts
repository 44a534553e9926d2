import { request } from "node:http";

/**
 * Asks the Gateway's `/readyz` through the agent's ingress socket. True only for a 200 within the
 * timeout; a missing socket, a refused connection or a slow answer all mean "not ready yet".
 */
export function probeGateway(socketPath: string, timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path: "/readyz", method: "GET", headers: { host: "127.0.0.1" } },
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
