import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { serveForContainer } from "../fs/listen-for-container";
import { isSendableStatus } from "../http/respond";
import {
  type ModelProvider,
  type ModelRoute,
  providerError,
  refusalAsAnswer,
  upstreamHeaders,
  upstreamPath,
} from "../policy/model-route";
import { createUsageMeter } from "./usage-meter";

/**
 * One container's way to its model: an HTTP server the panel listens on at a Unix socket in the
 * agent's or session's run dir (mounted read-only; a relay inside exposes it on 127.0.0.1:3129).
 * It forwards `/v1/…` to the route's upstream with the real credential added, so no key enters the
 * container. It refuses a model the route does not allow and a request over budget, and reports
 * each request (sizes, status, tokens, duration; never the body or the key) to `onDone`.
 */
export type ModelGateway = { close(): Promise<void> };

/** A request body above this is refused (a turn with images is a few MiB). */
export const maxModelRequestBytes = 32 * 1024 * 1024;
/** Simultaneous connections one container may hold open through its gateway. */
export const maxModelConnections = 64;

/** The route with its credential, read per request: a key changed in the panel applies to the next call. */
export type ResolvedRoute = ModelRoute & {
  credential: string | undefined;
  /** Why there is no credential and how to fix it, when the caller knows better than "not set". */
  missingCredential?: string;
};

export type ModelRequestReport = {
  outcome: "ok" | "denied" | "error";
  provider: ModelProvider;
  method: string;
  path: string;
  model: string | null;
  status: number | null;
  inputTokens: number;
  outputTokens: number;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  error: string | null;
};

export type GatewayOptions = {
  /** Names the caller in errors (`agent coder`, `job j-…`). */
  label: string;
  socketPath: string;
  route: () => Promise<ResolvedRoute | undefined>;
  /** A refusal (status and the message the agent sees) when the budget is spent; undefined to go on. */
  admit: (route: ResolvedRoute) => Promise<{ status: number; message: string } | undefined>;
  onDone: (report: ModelRequestReport) => void;
  /**
   * Agents: a lasting refusal (no key, another model, the day's budget) is answered as the model's
   * own message, so the person chatting reads it. Jobs get the HTTP error (and fail fast on it).
   */
  explainInChat: boolean;
  /** Names the operator maps by hand (CLAW_EGRESS_RESOLVE): the upstream's host is dialed there. */
  overrides: ReadonlyMap<string, string>;
};

/** Answers an error if nothing was sent yet; otherwise cuts the answer short (a truncated body, not a false one). */
function fail(res: ServerResponse, provider: ModelProvider, status: number, message: string) {
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = providerError(provider, status, message);
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    })
    .end(body);
}

/** Reads the whole request body, up to the cap; undefined when it is over. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxModelRequestBytes) {
        chunks.length = 0;
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A JSON request body's top-level fields, or undefined. */
function requestFields(body: Buffer): { model?: unknown; stream?: unknown } | undefined {
  if (body.length === 0 || body[0] !== 0x7b) return undefined;
  try {
    return JSON.parse(body.toString("utf8")) as { model?: unknown; stream?: unknown };
  } catch {
    return undefined;
  }
}

export async function startModelGateway(options: GatewayOptions): Promise<ModelGateway> {
  const { label } = options;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  async function forward(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    const method = req.method ?? "GET";
    const route = await options.route();
    const provider = route?.provider ?? "anthropic";
    const report: ModelRequestReport = {
      outcome: "ok",
      provider,
      method,
      path: (req.url ?? "").split("?")[0]?.slice(0, 200) ?? "",
      model: null,
      status: null,
      inputTokens: 0,
      outputTokens: 0,
      bytesUp: 0,
      bytesDown: 0,
      durationMs: 0,
      error: null,
    };
    let done = false;
    const end = (outcome: ModelRequestReport["outcome"], error: string | null = null) => {
      if (done) return;
      done = true;
      options.onDone({ ...report, outcome, error, durationMs: Date.now() - started });
    };
    const refuse = (code: number, message: string) => {
      report.status = code;
      end("denied", message);
      req.resume();
      fail(res, provider, code, message);
    };
    /** A refusal a person chatting with an agent must read: told as the model's answer (see refusalAsAnswer). */
    const refuseInChat = (code: number, message: string, stream: boolean) => {
      if (!options.explainInChat || method !== "POST") return refuse(code, message);
      report.status = code;
      end("denied", message);
      const answer = refusalAsAnswer(provider, stream, `⚠️ ${message}`);
      res
        .writeHead(200, {
          "content-type": answer.contentType,
          "content-length": Buffer.byteLength(answer.body),
        })
        .end(answer.body);
    };

    if (!route)
      return refuse(
        503,
        `claw model gateway: ${label} has no model route (re-create it, or re-lock its policy)`,
      );
    const target = upstreamPath(req.url ?? "", route);
    if (!target) return refuse(404, "claw model gateway: only /v1/ paths are forwarded");
    report.path = target.pathname;
    if (Number(req.headers["content-length"] ?? 0) > maxModelRequestBytes)
      return refuse(413, `claw model gateway: the request is over ${maxModelRequestBytes} bytes`);
    const body = await readBody(req);
    if (!body) return refuse(413, `claw model gateway: the request is over ${maxModelRequestBytes} bytes`);
    report.bytesUp = body.length;
    // Read once: the model it asks for, and whether it wants a stream (for an answer told in the chat).
    const fields = requestFields(body);
    const stream = fields?.stream === true;
    // 401: a client does not retry it, so a job without a credential fails at once, saying why.
    if (route.secret && !route.credential)
      return refuseInChat(
        401,
        route.missingCredential ??
          `claw model gateway: the secret ${route.secret} is not set; set it in the panel (Settings → Secrets) or with \`claw secrets set ${route.secret}\``,
        stream,
      );
    const asked = typeof fields?.model === "string" ? fields.model : undefined;
    report.model = asked ?? route.model;
    if (route.model && asked !== undefined && asked !== route.model)
      return refuseInChat(
        403,
        `claw model gateway: ${label} may use only the model ${route.model}, not ${asked.slice(0, 100)}`,
        stream,
      );
    const refusal = await options.admit(route);
    // A request-rate limit is a 429 the client waits out and retries; any other refusal lasts.
    if (refusal)
      return refusal.status === 429
        ? refuse(429, refusal.message)
        : refuseInChat(refusal.status, refusal.message, stream);

    const base = new URL(route.upstream);
    const https = base.protocol === "https:";
    const mapped = options.overrides.get(base.hostname.toLowerCase());
    const headers = upstreamHeaders(req.headers, base.host, route.provider, route.credential);
    const upstream = (https ? httpsRequest : httpRequest)({
      host: mapped ?? base.hostname.replace(/^\[|\]$/g, ""),
      port: base.port || (https ? 443 : 80),
      method,
      path: target.path,
      headers: { ...headers, "content-length": body.length },
      agent: https ? agents.https : agents.http,
      ...(https ? { servername: base.hostname } : {}),
    });
    upstream.on("response", (answer) => {
      const code = answer.statusCode;
      // The upstream chose the status line: one Node cannot send on (0, 999) is a bad gateway.
      if (!isSendableStatus(code)) {
        answer.destroy();
        upstream.destroy();
        report.status = code ?? null;
        end("error", `invalid status code ${code}`);
        return fail(
          res,
          provider,
          502,
          `claw model gateway: the model API answered with an invalid status (${code})`,
        );
      }
      report.status = code;
      const answerHeaders = { ...answer.headers };
      delete answerHeaders.connection;
      delete answerHeaders["keep-alive"];
      try {
        res.writeHead(code, answerHeaders);
      } catch (error) {
        answer.destroy();
        upstream.destroy();
        end("error", (error as Error).message);
        return fail(
          res,
          provider,
          502,
          "claw model gateway: the model API answered with headers that cannot be passed on",
        );
      }
      const meter = createUsageMeter(route.provider, answer.headers["content-type"]);
      // Streamed as it comes (SSE): each chunk is metered and written on, nothing is gathered.
      answer.on("data", (chunk: Buffer) => {
        report.bytesDown += chunk.length;
        meter.push(chunk);
      });
      answer.on("error", () => res.destroy());
      answer.on("end", () => {
        const usage = meter.usage();
        report.inputTokens = usage.inputTokens;
        report.outputTokens = usage.outputTokens;
        if (usage.model) report.model = usage.model;
        end(code < 400 ? "ok" : "error", code < 400 ? null : `the model API answered ${code}`);
      });
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      end("error", error.message);
      fail(res, provider, 502, `claw model gateway: the model API did not answer (${error.message})`);
    });
    // The container went away mid-answer: stop the upstream request rather than let it run on.
    res.on("close", () => {
      if (!res.writableFinished) {
        upstream.destroy();
        end("error", "the caller closed the connection");
      }
    });
    upstream.end(body);
  }

  // A failure inside a handler is this gateway's bug or an upstream's oddity: the caller gets a 502
  // and the panel logs it and keeps serving.
  const server: Server = createServer((req, res) =>
    forward(req, res).catch((error: Error) => {
      console.error(`claw: model gateway for ${label}: ${error.stack ?? error.message}`);
      fail(res, "anthropic", 502, "claw model gateway: the request failed (the panel's log has the details)");
    }),
  );
  server.on("clientError", (_error, socket: Socket) => {
    if (!socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  // The trust boundary's rule for sockets: the panel listens, in a directory the container sees only
  // read-only (run/model); the container's relay dials in. Nothing here follows a container's path.
  const served = await serveForContainer(server, options.socketPath, { maxConnections: maxModelConnections });
  return {
    async close() {
      agents.http.destroy();
      agents.https.destroy();
      await served.close();
    },
  };
}
