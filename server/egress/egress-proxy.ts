import { lookup } from "node:dns/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { connect, isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { Duplex } from "node:stream";
import type { AuditLog } from "../audit/audit-log";
import { serveForContainer } from "../fs/listen-for-container";
import { isSendableStatus } from "../http/respond";
import {
  type EgressRule,
  type HttpRequestLine,
  hostAddresses,
  isHostAddress,
  isPrivateAddress,
  matchRule,
  normalizeHost,
} from "./egress-rules";

/**
 * The only way out for a `restricted` or `devops` agent: an HTTP proxy (CONNECT and absolute-URI
 * requests) on a Unix socket in the agent's run dir, which a forwarder inside the container
 * exposes on 127.0.0.1:3128. The host the agent names is what is matched; the proxy resolves it
 * itself and refuses addresses of this machine and its networks unless the rule is that address.
 * Every connection, allowed or not, is one audit event.
 */
export type EgressDecision =
  | { allowed: true; rule: string; address: string; grant?: string; approval?: string }
  | { allowed: false; reason: string; approval?: string };

/**
 * A host off the allowlist that does not name this machine or a private network: the egress mode
 * decides whether it may be reached, before its name is resolved (asking must not leak the name
 * through DNS); once it may, the proxy resolves it and still refuses a private address.
 */
export type UnlistedTarget = {
  host: string;
  port: number;
  /** `CONNECT`, or a plain-HTTP request's method. */
  method: string;
  /** A plain-HTTP request's path and query; null for a tunnel. */
  path: string | null;
};
export type UnlistedDecision =
  | { allowed: true; rule: string; grant?: string; approval?: string }
  | { allowed: false; reason: string; approval?: string };
/** `signal` aborts when the agent hangs up while its connection is held. */
export type UnlistedHandler = (target: UnlistedTarget, signal: AbortSignal) => Promise<UnlistedDecision>;

/** Pure: names that can only be this machine or its network (a single label, .local, .internal and the like). */
export function isLocalName(name: string): boolean {
  if (isIP(name) !== 0) return false;
  return !name.includes(".") || /\.(localhost|local|internal|lan|home\.arpa|localdomain)$/.test(name);
}

export type EgressResolver = (host: string) => Promise<{ address: string; trusted: boolean }[]>;

/** Names the operator maps by hand (CLAW_EGRESS_RESOLVE="name=ip,…"): trusted, private or not. */
export function parseResolveOverrides(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of (value ?? "").split(",")) {
    const [name, address] = entry.split("=").map((part) => part.trim());
    if (name && address && isIP(address)) map.set(normalizeHost(name), address);
  }
  return map;
}

export function createResolver(overrides: ReadonlyMap<string, string>): EgressResolver {
  return async (host) => {
    const mapped = overrides.get(host);
    if (mapped) return [{ address: mapped, trusted: true }];
    if (isIP(host)) return [{ address: host, trusted: false }];
    const answers = await lookup(host, { all: true, verbatim: true });
    return answers.map((answer) => ({ address: answer.address, trusted: false }));
  };
}

/**
 * Edge-free: the verdict for one destination. `own` holds this machine's interface addresses
 * (hostAddresses), refused like private ones whatever their range. A host off the list is
 * `unlisted` when `askable` and it does not name this machine or a private network; its name is
 * not resolved here (usableAddress does that once it may be reached).
 */
export async function decideEgress(
  rules: EgressRule[],
  resolve: EgressResolver,
  target: { host: string; port: number; line?: HttpRequestLine },
  own: ReadonlySet<string> = new Set(),
  askable = false,
): Promise<EgressDecision | { allowed: false; reason: string; unlisted: true }> {
  const name = normalizeHost(target.host);
  const port = target.port;
  const rule = matchRule(rules, name, port, target.line);
  if (!rule) {
    const offList = `${name}:${port} is not in this agent's allowlist`;
    if (!askable) return { allowed: false, reason: offList };
    const local =
      isLocalName(name) || (isIP(name) !== 0 && (isPrivateAddress(name) || isHostAddress(name, own)));
    return local
      ? {
          allowed: false,
          reason: `${offList}, and it names this machine or a private network (never asked about)`,
        }
      : { allowed: false, reason: offList, unlisted: true };
  }
  const usable = await usableAddress(resolve, name, own, isIP(rule.host) !== 0);
  return "reason" in usable
    ? { allowed: false, reason: usable.reason }
    : { allowed: true, rule: rule.text, address: usable.address };
}

/**
 * Edge-free: the address the proxy connects to for `name`: its own resolution (or the operator's
 * mapping, trusted), never this machine or a private network unless the rule is that literal.
 */
export async function usableAddress(
  resolve: EgressResolver,
  name: string,
  own: ReadonlySet<string>,
  literalRule: boolean,
): Promise<{ address: string } | { reason: string }> {
  let answers: { address: string; trusted: boolean }[];
  try {
    answers = await resolve(name);
  } catch {
    return { reason: `${name} does not resolve` };
  }
  const usable = answers.find(
    (answer) =>
      answer.trusted ||
      literalRule ||
      (!isPrivateAddress(answer.address) && !isHostAddress(answer.address, own)),
  );
  return usable
    ? { address: usable.address }
    : { reason: `${name} resolves to an address of this machine or a private network` };
}

/** Pure: host and port of a CONNECT target or an absolute URL; undefined when malformed. */
export function parseTarget(target: string, defaultPort: number): { host: string; port: number } | undefined {
  try {
    const url = target.includes("://") ? new URL(target) : new URL(`http://${target}`);
    const port = url.port ? Number(url.port) : target.startsWith("https://") ? 443 : defaultPort;
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
    return { host: normalizeHost(url.hostname), port };
  } catch {
    return undefined;
  }
}

export type EgressProxy = {
  close(): Promise<void>;
  /** New rules (a re-lock) for the connections to come; those open or held keep going. */
  update(rules: EgressRule[], unlisted: UnlistedHandler | undefined): void;
};

/** Simultaneous connections one agent or job may hold open through its proxy. */
export const maxConnections = 256;

/** Answers 502 if nothing was sent yet; otherwise cuts the answer short (a truncated body, not a false one). */
function badGateway(res: ServerResponse, reason: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { "content-type": "text/plain", connection: "close" }).end(`claw egress: ${reason}\n`);
}

/** Whose connections these are: an agent's, or a Claude Code job's (its audit actor `job:ID`). */
export type EgressOwner = { agent: string } | { job: string };

export function egressOwnerKey(owner: EgressOwner): string {
  return "agent" in owner ? owner.agent : `job:${owner.job}`;
}

export async function startEgressProxy(options: {
  owner: EgressOwner;
  socketPath: string;
  rules: EgressRule[];
  resolve: EgressResolver;
  audit: AuditLog;
  /** What happens to a host off the list it could reach (ask or learn); absent: denied. */
  unlisted?: UnlistedHandler;
  /** Registers how to close a connection a grant let through, should the grant end early; returns the untrack. */
  trackGrant?: (grant: string, close: () => void) => () => void;
}): Promise<EgressProxy> {
  const { owner, audit } = options;
  const agent = "agent" in owner ? owner.agent : null;
  const record = (allowed: boolean, details: Record<string, string | number | null>) =>
    void audit
      .record({
        category: "egress",
        action: allowed ? "egress_allowed" : "egress_denied",
        actor: agent ? `agent:${agent}` : `job:${"job" in owner ? owner.job : ""}`,
        agent,
        outcome: allowed ? "ok" : "denied",
        details: "job" in owner ? { ...details, job: owner.job } : details,
      })
      .catch((error: Error) =>
        console.error(`claw: could not audit ${egressOwnerKey(owner)}'s egress: ${error.message}`),
      );

  const refusalDetails = (decision: { reason: string; approval?: string }) => ({
    reason: decision.reason,
    ...(decision.approval ? { approval: decision.approval } : {}),
  });

  /** An allowed connection's event, recorded when it ends. */
  const recordAllowed = (
    target: { host: string; port: number },
    method: string,
    decision: { rule: string; address: string; grant?: string; approval?: string },
    started: number,
    outcome: { bytesUp: number; bytesDown: number; status?: number | null; error?: string | null },
  ) =>
    record(true, {
      host: target.host,
      port: target.port,
      method,
      rule: decision.rule,
      address: decision.address,
      ...(decision.grant ? { grant: decision.grant } : {}),
      ...(decision.approval ? { approval: decision.approval } : {}),
      ...outcome,
      durationMs: Date.now() - started,
    });

  let current = { rules: options.rules, unlisted: options.unlisted };

  // The interfaces are read per connection: an address the host gains later is refused too.
  const decide = async (
    target: { host: string; port: number },
    method: string,
    hungUp: AbortSignal,
    line?: HttpRequestLine,
  ) => {
    const { rules, unlisted } = current;
    const own = hostAddresses(networkInterfaces());
    const verdict = await decideEgress(
      rules,
      options.resolve,
      { ...target, line },
      own,
      unlisted !== undefined,
    );
    if (verdict.allowed || !("unlisted" in verdict) || !unlisted) return verdict;
    const permitted = await unlisted(
      { host: target.host, port: target.port, method, path: line?.path ?? null },
      hungUp,
    );
    if (!permitted.allowed) return permitted;
    const usable = await usableAddress(options.resolve, target.host, own, false);
    return "reason" in usable
      ? { allowed: false as const, reason: usable.reason, approval: permitted.approval }
      : { ...permitted, address: usable.address };
  };

  const refuse = (socket: Duplex, status: number, reason: string) => {
    const body = `claw egress: ${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${status === 403 ? "Forbidden" : "Bad Request"}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  /** CONNECT host:port: a tunnel (HTTPS and anything else over TCP). */
  async function tunnel(req: IncomingMessage, client: Duplex, head: Buffer) {
    client.on("error", () => client.destroy());
    const target = parseTarget(req.url ?? "", 443);
    if (!target) return refuse(client, 400, "malformed CONNECT target");
    const started = Date.now();
    const hungUp = new AbortController();
    client.once("close", () => hungUp.abort());
    const decision = await decide(target, "CONNECT", hungUp.signal);
    if (!decision.allowed) {
      record(false, { host: target.host, port: target.port, method: "CONNECT", ...refusalDetails(decision) });
      return refuse(client, 403, decision.reason);
    }
    // Held for an answer, the agent may have given up: nothing to connect for.
    if (client.destroyed) return;
    const upstream = connect({ host: decision.address, port: target.port });
    // A grant that ends early (time, revocation, stop) closes what it let through.
    const untrack = decision.grant ? options.trackGrant?.(decision.grant, () => client.destroy()) : undefined;
    let up = head.length;
    let down = 0;
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      client.on("data", (chunk: Buffer) => {
        up += chunk.length;
      });
      upstream.on("data", (chunk: Buffer) => {
        down += chunk.length;
      });
      client.pipe(upstream).pipe(client);
    });
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (error && !connected && !client.destroyed) {
        refuse(client, 502, `${target.host}:${target.port} did not answer (${error.message})`);
      } else {
        client.destroy();
      }
      upstream.destroy();
      untrack?.();
      recordAllowed(target, "CONNECT", decision, started, {
        bytesUp: up,
        bytesDown: down,
        error: error?.message ?? null,
      });
    };
    upstream.on("error", finish);
    upstream.on("close", () => finish());
    client.on("close", () => finish());
  }

  /** GET http://host/path (plain HTTP through the proxy). */
  async function forward(req: IncomingMessage, res: ServerResponse) {
    const target = parseTarget(req.url ?? "", 80);
    if (!target || !(req.url ?? "").startsWith("http://")) {
      res
        .writeHead(400, { "content-type": "text/plain" })
        .end("claw egress: only absolute http:// URLs and CONNECT\n");
      return;
    }
    const started = Date.now();
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "");
    const hungUp = new AbortController();
    res.once("close", () => hungUp.abort());
    const decision = await decide(target, method, hungUp.signal, {
      method,
      path: `${url.pathname}${url.search}`,
    });
    if (!decision.allowed) {
      record(false, { host: target.host, port: target.port, method, ...refusalDetails(decision) });
      res.writeHead(403, { "content-type": "text/plain" }).end(`claw egress: ${decision.reason}\n`);
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    delete headers["proxy-authorization"];
    let up = 0;
    let down = 0;
    // One event per request, whichever of the ends below comes first.
    let recorded = false;
    const untrack = decision.grant ? options.trackGrant?.(decision.grant, () => res.destroy()) : undefined;
    const recordOnce = (outcome: Parameters<typeof recordAllowed>[4]) => {
      if (recorded) return;
      recorded = true;
      untrack?.();
      recordAllowed(target, method, decision, started, outcome);
    };
    req.on("data", (chunk: Buffer) => {
      up += chunk.length;
    });
    const upstream = request(
      {
        host: decision.address,
        port: target.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host },
      },
      (answer) => {
        const status = answer.statusCode ?? 0;
        // An answer that cannot be passed on ends both sides and is recorded with why.
        const unpassable = (error: string, message: string) => {
          answer.destroy();
          upstream.destroy();
          recordOnce({ status, bytesUp: up, bytesDown: 0, error });
          badGateway(res, `${target.host}:${target.port} answered with ${message}`);
        };
        // The upstream chose the status line: one Node cannot send on (0, 999) is a bad gateway.
        if (!isSendableStatus(status))
          return unpassable(`invalid status code ${status}`, `an invalid status code (${status})`);
        try {
          res.writeHead(status, answer.headers);
        } catch (error) {
          return unpassable((error as Error).message, "headers that cannot be passed on");
        }
        answer.on("data", (chunk: Buffer) => {
          down += chunk.length;
        });
        answer.on("error", () => res.destroy());
        answer.pipe(res);
        answer.on("end", () =>
          recordOnce({
            status,
            bytesUp: up,
            bytesDown: down,
          }),
        );
      },
    );
    upstream.on("error", (error) => {
      recordOnce({ bytesUp: up, bytesDown: 0, error: error.message });
      badGateway(res, `${target.host}:${target.port} did not answer (${error.message})`);
    });
    // The agent went away: stop the upstream request rather than let it run on.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  // A failure inside a handler is this proxy's bug or an upstream's oddity: the agent gets a 502
  // (or its tunnel closes) and the panel logs it and keeps serving.
  const server: Server = createServer((req, res) =>
    forward(req, res).catch((error: Error) => {
      console.error(`claw: egress proxy for ${egressOwnerKey(owner)}: ${error.stack ?? error.message}`);
      badGateway(res, "the proxy failed on this request (the panel's log has the details)");
    }),
  );
  server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    tunnel(req, socket, head).catch((error: Error) => {
      console.error(`claw: egress proxy for ${egressOwnerKey(owner)}: ${error.stack ?? error.message}`);
      if (!socket.destroyed) refuse(socket, 502, "the proxy failed on this request");
    }),
  );
  server.on("clientError", (_error, socket: Duplex) => {
    if (!socket.destroyed) refuse(socket, 400, "malformed request");
  });
  const served = await serveForContainer(server, options.socketPath, { maxConnections });
  return {
    close: () => served.close(),
    update(rules, unlisted) {
      current = { rules, unlisted };
    },
  };
}
