import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log";
import { serveForContainer } from "../fs/listen-for-container";
import { isSendableStatus } from "../http/respond";

/**
 * A job's way to the model API in API-key mode: an HTTP server the panel listens on at a Unix socket
 * in the session's run dir (mounted read-only; a socat relay inside exposes it on 127.0.0.1:3129).
 * It forwards `/v1/…` to the configured base URL with the real key added, so the key never enters the
 * container: what the job prints, whatever encoding it chooses, cannot hold it. One audit event per
 * request: method, path, status, sizes and duration, never the body or the key.
 */
export type ModelProxy = { close(): Promise<void> };

/** Where the model is reached inside the container, and the socket's dir relative to the session's. */
export const modelProxyListen = "127.0.0.1:3129";
export const modelSocketDir = "run/model";
export const modelSocketName = "model.sock";
/** Claude Code needs some key to start; this one is not a secret and the proxy throws it away. */
export const modelPlaceholderKey = "claw-model-proxy";
/** A request body above this is refused (a turn with images is a few MiB). */
export const maxModelRequestBytes = 32 * 1024 * 1024;
/** Simultaneous connections one job may hold open through its model proxy. */
export const maxModelConnections = 64;

/** What the proxy forwards to, read per request: a key changed in Settings applies to the next call. */
export type ModelUpstream = { baseUrl: string; apiKey: string | undefined };

/** Headers the job may not choose: its own credentials, the target, and hop-by-hop ones. */
const droppedHeaders = new Set([
  "x-api-key",
  "authorization",
  "host",
  "cookie",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "transfer-encoding",
]);

/** Pure: the request's headers as they go upstream, with the real key. */
export function upstreamHeaders(headers: IncomingHttpHeaders, host: string, apiKey: string) {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || droppedHeaders.has(name) || name.startsWith("proxy-")) continue;
    out[name] = value;
  }
  return { ...out, host, "x-api-key": apiKey };
}

/** Pure: the upstream path for a request path, or undefined unless it is a plain `/v1/…` path. */
export function modelPath(rawUrl: string, baseUrl: string): { path: string; pathname: string } | undefined {
  if (!rawUrl.startsWith("/v1/")) return undefined;
  const [rawPath = "", ...query] = rawUrl.split("?");
  let parsed: URL;
  try {
    parsed = new URL(rawUrl, "http://model.invalid");
  } catch {
    return undefined;
  }
  // `..`, `%2e%2e`, `//` or a backslash would let the upstream resolve to a path outside /v1/.
  if (parsed.pathname !== rawPath || rawPath.includes("//") || rawPath.includes("\\")) return undefined;
  const base = new URL(baseUrl).pathname.replace(/\/+$/, "");
  const search = query.length > 0 ? `?${query.join("?")}` : "";
  return { path: `${base}${rawPath}${search}`, pathname: rawPath };
}

/** Answers an error if nothing was sent yet; otherwise cuts the answer short (a truncated body, not a false one). */
function fail(res: ServerResponse, status: number, message: string) {
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: "error", error: { type: "claw_model_proxy", message } });
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    })
    .end(body);
}

export async function startModelProxy(options: {
  job: string;
  socketPath: string;
  upstream: () => Promise<ModelUpstream>;
  /** Names the operator maps by hand (CLAW_EGRESS_RESOLVE): the base URL's host is dialed there. */
  overrides: ReadonlyMap<string, string>;
  audit: AuditLog;
}): Promise<ModelProxy> {
  const { job, audit } = options;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  const record = (outcome: "ok" | "denied" | "error", details: Record<string, string | number | null>) =>
    void audit
      .record({
        category: "egress",
        action: "model_request",
        actor: `job:${job}`,
        agent: null,
        outcome,
        details: { job, ...details },
      })
      .catch((error: Error) =>
        console.error(`claw: could not audit job ${job}'s model request: ${error.message}`),
      );

  async function forward(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    const method = req.method ?? "GET";
    let up = 0;
    let down = 0;
    let status: number | null = null;
    let done = false;
    const end = (outcome: "ok" | "denied" | "error", path: string, error: string | null = null) => {
      if (done) return;
      done = true;
      record(outcome, {
        method,
        path,
        status,
        bytesUp: up,
        bytesDown: down,
        durationMs: Date.now() - started,
        error,
      });
    };
    const refuse = (code: number, path: string, message: string) => {
      status = code;
      end("denied", path, message);
      req.resume();
      fail(res, code, message);
    };

    const { baseUrl, apiKey } = await options.upstream();
    const target = modelPath(req.url ?? "", baseUrl);
    const shownPath = (req.url ?? "").split("?")[0]?.slice(0, 200) ?? "";
    if (!target) return refuse(404, shownPath, "claw model proxy: only /v1/ paths are forwarded");
    if (!apiKey) return refuse(503, target.pathname, "claw model proxy: no API key is set (Jobs → Settings)");
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxModelRequestBytes)
      return refuse(
        413,
        target.pathname,
        `claw model proxy: the request is over ${maxModelRequestBytes} bytes`,
      );

    const base = new URL(baseUrl);
    const https = base.protocol === "https:";
    const mapped = options.overrides.get(base.hostname.toLowerCase());
    const upstream = (https ? httpsRequest : httpRequest)({
      host: mapped ?? base.hostname,
      port: base.port || (https ? 443 : 80),
      method,
      path: target.path,
      headers: upstreamHeaders(req.headers, base.host, apiKey),
      agent: https ? agents.https : agents.http,
      ...(https ? { servername: base.hostname } : {}),
    });
    upstream.on("response", (answer) => {
      const code = answer.statusCode;
      // The upstream chose the status line: one Node cannot send on (0, 999) is a bad gateway.
      if (!isSendableStatus(code)) {
        answer.destroy();
        upstream.destroy();
        status = code ?? null;
        end("error", target.pathname, `invalid status code ${code}`);
        return fail(res, 502, `claw model proxy: the model API answered with an invalid status (${code})`);
      }
      status = code;
      const headers = { ...answer.headers };
      delete headers.connection;
      delete headers["keep-alive"];
      try {
        res.writeHead(code, headers);
      } catch (error) {
        answer.destroy();
        upstream.destroy();
        end("error", target.pathname, (error as Error).message);
        return fail(
          res,
          502,
          "claw model proxy: the model API answered with headers that cannot be passed on",
        );
      }
      // Streamed as it comes (SSE): each chunk is written on, nothing is gathered.
      answer.on("data", (chunk: Buffer) => {
        down += chunk.length;
      });
      answer.on("error", () => res.destroy());
      answer.on("end", () => end("ok", target.pathname));
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      end("error", target.pathname, error.message);
      fail(res, 502, `claw model proxy: the model API did not answer (${error.message})`);
    });
    // The job went away mid-answer: stop the upstream request rather than let it run on.
    res.on("close", () => {
      if (!res.writableFinished) {
        upstream.destroy();
        end("error", target.pathname, "the job closed the connection");
      }
    });
    req.on("error", () => upstream.destroy());
    req.on("data", (chunk: Buffer) => {
      up += chunk.length;
      if (up > maxModelRequestBytes) {
        upstream.destroy();
        req.unpipe(upstream);
        status = 413;
        end("denied", target.pathname, "request body too large");
        fail(res, 413, `claw model proxy: the request is over ${maxModelRequestBytes} bytes`);
      }
    });
    req.pipe(upstream);
  }

  // A failure inside a handler is this proxy's bug or an upstream's oddity: the job gets a 502 and
  // the panel logs it and keeps serving.
  const server: Server = createServer((req, res) =>
    forward(req, res).catch((error: Error) => {
      console.error(`claw: model proxy for job ${job}: ${error.stack ?? error.message}`);
      fail(res, 502, "claw model proxy: the request failed (the panel's log has the details)");
    }),
  );
  server.on("clientError", (_error, socket: Socket) => {
    if (!socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  const served = await serveForContainer(server, options.socketPath, { maxConnections: maxModelConnections });
  return {
    async close() {
      agents.http.destroy();
      agents.https.destroy();
      await served.close();
    },
  };
}

/** The panel's model proxies, one per running API-key job, by job id. */
export type ModelProxies = {
  /** Starts the job's proxy in `sessionDir`'s run/model (or keeps the one running). */
  ensure(job: string, sessionDir: string): Promise<void>;
  close(job: string): Promise<void>;
  closeAll(): Promise<void>;
  running(): string[];
};

export function createModelProxies(deps: {
  audit: AuditLog;
  overrides: ReadonlyMap<string, string>;
  upstream: () => Promise<ModelUpstream>;
}): ModelProxies {
  const proxies = new Map<string, Promise<ModelProxy>>();
  const close = async (job: string) => {
    const proxy = proxies.get(job);
    proxies.delete(job);
    await (await proxy?.catch(() => undefined))?.close();
  };
  return {
    async ensure(job, sessionDir) {
      const existing = proxies.get(job);
      if (existing) {
        await existing;
        return;
      }
      const proxy = startModelProxy({
        job,
        socketPath: join(sessionDir, modelSocketDir, modelSocketName),
        upstream: deps.upstream,
        overrides: deps.overrides,
        audit: deps.audit,
      });
      proxies.set(job, proxy);
      proxy.catch(() => proxies.delete(job));
      await proxy;
    },
    close,
    async closeAll() {
      await Promise.all([...proxies.keys()].map(close));
    },
    running: () => [...proxies.keys()],
  };
}
