/**
 * Pure checks that run before any handler: localhost is not a trust boundary (DNS rebinding,
 * cross-site WebSocket hijacking and CSRF have all hit local tools), so every request proves
 * where it came from.
 */

export type GateVerdict = { ok: true } | { ok: false; status: number; reason: string };

const allow: GateVerdict = { ok: true };
const deny = (status: number, reason: string): GateVerdict => ({ ok: false, status, reason });

/** The custom header every API call carries: a cross-origin page cannot add it without a CORS preflight we never grant. */
export const csrfHeader = "x-claw-csrf";

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([...allowedHosts(port)].map((host) => `http://${host}`));
}

/** DNS rebinding: a foreign name that resolves to 127.0.0.1 still sends its own Host. */
export function checkHost(host: string | undefined, port: number): GateVerdict {
  if (!host) return deny(421, "Missing Host header");
  return allowedHosts(port).has(host.toLowerCase())
    ? allow
    : deny(421, `Host "${host}" is not allowed; open the panel at http://127.0.0.1:${port}`);
}

/** WebSockets are not covered by the same-origin policy: the Origin must be ours, and present. */
export function checkWebSocketOrigin(origin: string | undefined, port: number): GateVerdict {
  if (!origin || origin === "null") return deny(403, "WebSocket without an Origin is refused");
  return allowedOrigins(port).has(origin.toLowerCase())
    ? allow
    : deny(403, `WebSocket from Origin "${origin}" is refused`);
}

type StateChangingRequest = {
  method: string;
  origin?: string;
  secFetchSite?: string;
  csrfHeader?: string;
};

/**
 * A request that changes state: POST only, our custom header, and when the browser says where it
 * came from, it must be this origin. `same-site` is refused too: another port on localhost is the
 * same site, and cookies do not isolate ports.
 */
export function checkStateChangingRequest(req: StateChangingRequest, port: number): GateVerdict {
  if (req.method !== "POST") return deny(405, `${req.method} cannot change state; use POST`);
  if (req.csrfHeader !== "1") return deny(403, `Missing ${csrfHeader} header`);
  if (req.secFetchSite && req.secFetchSite !== "same-origin" && req.secFetchSite !== "none") {
    return deny(403, `Cross-site request refused (Sec-Fetch-Site: ${req.secFetchSite})`);
  }
  if (req.origin !== undefined && !allowedOrigins(port).has(req.origin.toLowerCase())) {
    return deny(403, `Request from Origin "${req.origin}" is refused`);
  }
  return allow;
}

/**
 * A download the browser starts from a link (no custom header possible): it must come from our
 * own pages or be typed in, never from another site or another port of localhost.
 */
export function checkDownload(req: { origin?: string; secFetchSite?: string }, port: number): GateVerdict {
  if (req.secFetchSite && req.secFetchSite !== "same-origin" && req.secFetchSite !== "none") {
    return deny(403, `Cross-site download refused (Sec-Fetch-Site: ${req.secFetchSite})`);
  }
  if (req.origin !== undefined && !allowedOrigins(port).has(req.origin.toLowerCase())) {
    return deny(403, `Request from Origin "${req.origin}" is refused`);
  }
  return allow;
}

/** Reads of the API still need the custom header and a same-origin fetch, so no page elsewhere can embed them. */
export function checkApiRead(req: Omit<StateChangingRequest, "method">, port: number): GateVerdict {
  return checkStateChangingRequest({ ...req, method: "POST" }, port);
}
