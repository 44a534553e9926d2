// A fake Anthropic Messages API for driving the real Claude Code binary offline.
//
// Claude Code 2.1.330 run as `claude -p … --output-format stream-json --verbose` with
// CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 sends only `POST /v1/messages?beta=true` with
// `stream: true`, one request per model turn (measured: no title, quota or count_tokens requests).
// Every such "main" request carries the tool definitions; requests without `tools` (a small-model
// side call such as a title or a summary, should a future version send one), count_tokens and any
// other path are answered without consuming the test's script, so the script stays one turn per
// model call. The request body's `messages` contains a `role: "system"` entry (the environment
// block) after the first user message; the helpers below skip it.
// When a stream breaks mid-way (the `midStream` error or `disconnect` turns), Claude Code re-sends the
// same turn at once with `stream: false` — even with CLAUDE_CODE_MAX_RETRIES=0 — and that request
// takes the next scripted turn (answered as JSON); CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK=1 stops it.
// A stalled stream is abandoned (and retried non-streaming) only after ~300 s.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

export type FakeToolCall = { name: string; input: unknown; id?: string };
export type FakeUsage = { input_tokens?: number; output_tokens?: number };

/** One scripted model answer. */
export type FakeTurn =
  /** A text answer, split into `chunks` text_delta events (default: 512 characters each), `delayMs` apart. */
  | {
      text: string;
      chunks?: number;
      delayMs?: number;
      stopReason?: "end_turn" | "max_tokens" | "stop_sequence";
      usage?: FakeUsage;
    }
  /** Tool call(s), optionally after a text block; stop_reason "tool_use". Claude Code runs the tool and
   *  sends a follow-up request whose last user message holds the tool_result (see `toolResults`). */
  | { toolUse: FakeToolCall | FakeToolCall[]; text?: string; usage?: FakeUsage }
  /** An HTTP error answer: `{ type: "error", error: { type, message } }` with this status.
   *  With `midStream`, a 200 stream that sends message_start and then an SSE `error` event. */
  | {
      error: { status: number; type: string; message: string };
      headers?: Record<string, string>;
      midStream?: boolean;
    }
  /** 200 + message_start + ping, then nothing until the client goes away or the server closes. */
  | { stall: true }
  /** message_start and `afterText` (if any) as a text block, then the TCP connection is destroyed. */
  | { disconnect: { afterText?: string } };

export type FakeRequestKind = "main" | "side" | "count_tokens" | "other";

export type FakeRequest = {
  method: string;
  /** The path without the query string (Claude Code sends `/v1/messages?beta=true`). */
  path: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: a test inspects arbitrary request JSON.
  body: any;
  kind: FakeRequestKind;
  /** For main requests, the 0-based position among main requests; otherwise -1. */
  index: number;
};

export type FakeHandler = (request: FakeRequest) => FakeTurn | undefined;

export type FakeAnthropic = {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  host: string;
  /** Appends scripted answers for main requests, consumed in order. */
  script(turns: FakeTurn[]): void;
  /** Decides a main request's answer when the script is empty (return undefined for the default). */
  respond(handler: FakeHandler | undefined): void;
  /** Answer for side requests (no `tools`); default: a short text. */
  respondSide(handler: FakeHandler | undefined): void;
  /** Answer when neither the script nor the handler gives one; default `{ text: "OK" }`. */
  setDefault(turn: FakeTurn): void;
  /** Every request received, in order (all kinds). */
  requests: FakeRequest[];
  /** Only the requests that consumed (or would consume) a scripted turn. */
  readonly mainRequests: FakeRequest[];
  /** Scripted turns not yet consumed. */
  readonly pending: number;
  /** Resolves once `count` main requests have arrived (their handling may still be in progress). */
  waitForMainRequests(count: number, timeoutMs?: number): Promise<FakeRequest[]>;
  /** Clears the script, the handlers, the default answer and the request log. */
  reset(): void;
  /** Stops listening and destroys open connections (stalled streams included). */
  close(): Promise<void>;
};

export type FakeAnthropicOptions = {
  /** Interface to listen on (default 127.0.0.1); "0.0.0.0" for a container reaching the host. */
  host?: string;
  port?: number;
  /** Host name written into `url` (default: `host`, or 127.0.0.1 when `host` is 0.0.0.0 / ::). */
  urlHost?: string;
  /** When set, API requests whose `x-api-key` (or `authorization: Bearer …`) differs get a 401
   *  authentication_error without consuming the script. */
  apiKey?: string;
  /** Overrides the main/side classification of POST /v1/messages requests. */
  // biome-ignore lint/suspicious/noExplicitAny: request JSON.
  isMain?: (body: any) => boolean;
};

// ---------------------------------------------------------------- helpers for tests

// biome-ignore lint/suspicious/noExplicitAny: request JSON.
type Json = any;

/** `messages` without `role: "system"` entries. */
export function conversation(body: Json): Json[] {
  return Array.isArray(body?.messages) ? body.messages.filter((m: Json) => m?.role !== "system") : [];
}

function blocks(message: Json): Json[] {
  if (!message) return [];
  if (typeof message.content === "string") return [{ type: "text", text: message.content }];
  return Array.isArray(message.content) ? message.content : [];
}

/** The last user message of a request (system entries skipped). */
export function lastUserMessage(body: Json): Json | undefined {
  return conversation(body)
    .filter((m) => m.role === "user")
    .at(-1);
}

/** tool_result blocks of the last user message: `{ tool_use_id, content, is_error? }`. */
export function toolResults(body: Json): Json[] {
  return blocks(lastUserMessage(body)).filter((b) => b?.type === "tool_result");
}

/** A tool_result's content as plain text (it may be a string or a list of text blocks). */
export function toolResultText(result: Json): string {
  if (typeof result?.content === "string") return result.content;
  if (Array.isArray(result?.content))
    return result.content.map((b: Json) => (typeof b?.text === "string" ? b.text : "")).join("");
  return "";
}

/** User-typed text of the last user message, without Claude Code's `<system-reminder>` blocks. */
export function userText(body: Json): string {
  return blocks(lastUserMessage(body))
    .filter((b) => b?.type === "text" && !String(b.text).trimStart().startsWith("<system-reminder>"))
    .map((b) => String(b.text))
    .join("\n");
}

/** The first user prompt of the conversation (the `-p` text), reminders skipped. */
export function promptText(body: Json): string {
  const first = conversation(body).find((m) => m.role === "user");
  return blocks(first)
    .filter((b) => b?.type === "text" && !String(b.text).trimStart().startsWith("<system-reminder>"))
    .map((b) => String(b.text))
    .join("\n");
}

// ---------------------------------------------------------------- server

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function splitText(text: string, chunks: number | undefined): string[] {
  const count = Math.max(1, Math.min(chunks ?? Math.ceil(text.length / 512), Math.max(1, text.length)));
  const size = Math.ceil(text.length / count);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(text.slice(i * size, (i + 1) * size));
  return parts.filter((part, i) => part.length > 0 || i === 0);
}

const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function decodeBody(raw: Buffer, encoding: string | undefined): string {
  switch ((encoding ?? "").toLowerCase()) {
    case "gzip":
      return gunzipSync(raw).toString("utf8");
    case "br":
      return brotliDecompressSync(raw).toString("utf8");
    case "deflate":
      return inflateSync(raw).toString("utf8");
    default:
      return raw.toString("utf8");
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

const defaultIsMain = (body: Json) => Array.isArray(body?.tools) && body.tools.length > 0;

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const host = options.host ?? "127.0.0.1";
  const isMain = options.isMain ?? defaultIsMain;
  let queue: FakeTurn[] = [];
  let handler: FakeHandler | undefined;
  let sideHandler: FakeHandler | undefined;
  let fallback: FakeTurn = { text: "OK" };
  let messageCount = 0;
  const requests: FakeRequest[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const mainRequests = () => requests.filter((r) => r.kind === "main");

  function turnFor(request: FakeRequest): FakeTurn {
    if (request.kind === "main") {
      const scripted = queue.shift();
      if (scripted) return scripted;
      return handler?.(request) ?? fallback;
    }
    return sideHandler?.(request) ?? { text: "OK" };
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? "/";
    const path = url.split("?")[0] ?? "/";
    const raw = await readBody(req);
    let body: Json = null;
    if (raw.length > 0) {
      const text = decodeBody(raw, req.headers["content-encoding"] as string | undefined);
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = req.method ?? "GET";
    let kind: FakeRequestKind = "other";
    if (method === "POST" && path === "/v1/messages") kind = isMain(body) ? "main" : "side";
    else if (method === "POST" && path === "/v1/messages/count_tokens") kind = "count_tokens";
    const request: FakeRequest = {
      method,
      path,
      url,
      headers: { ...req.headers },
      body,
      kind,
      index: kind === "main" ? mainRequests().length : -1,
    };
    requests.push(request);
    for (const wake of waiters) wake();

    if (options.apiKey !== undefined && kind !== "other") {
      const key = req.headers["x-api-key"];
      const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, "");
      if (key !== options.apiKey && bearer !== options.apiKey) {
        sendJson(res, 401, {
          type: "error",
          error: { type: "authentication_error", message: "fake-anthropic: invalid x-api-key" },
        });
        return;
      }
    }
    if (kind === "count_tokens") {
      const size = JSON.stringify(body ?? "").length;
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(size / 4)) });
      return;
    }
    if (kind === "other") {
      if (method === "HEAD" || (method === "GET" && (path === "/" || path === "/v1"))) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(method === "HEAD" ? undefined : "{}");
        return;
      }
      sendJson(res, 404, {
        type: "error",
        error: { type: "not_found_error", message: `fake-anthropic: no route for ${method} ${path}` },
      });
      return;
    }
    await answer(req, res, body, turnFor(request));
  }

  function sendJson(
    res: ServerResponse,
    status: number,
    value: unknown,
    headers: Record<string, string> = {},
  ) {
    const payload = JSON.stringify(value);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(payload),
      "request-id": `req_fake_${requests.length}`,
      ...headers,
    });
    res.end(payload);
  }

  async function answer(req: IncomingMessage, res: ServerResponse, body: Json, turn: FakeTurn) {
    const model = typeof body?.model === "string" ? body.model : "claude-fake";
    const id = `msg_fake_${++messageCount}`;
    const streaming = body?.stream === true;
    const inputTokens = Math.max(1, Math.ceil(JSON.stringify(conversation(body)).length / 4));

    if ("error" in turn && !turn.midStream) {
      sendJson(
        res,
        turn.error.status,
        { type: "error", error: { type: turn.error.type, message: turn.error.message } },
        turn.headers,
      );
      return;
    }

    // The content blocks this turn produces (for the non-streaming form and for streaming).
    const content: Json[] = [];
    let stopReason = "end_turn";
    let usage: FakeUsage = {};
    if ("text" in turn && !("toolUse" in turn)) {
      content.push({ type: "text", text: turn.text });
      stopReason = turn.stopReason ?? "end_turn";
      usage = turn.usage ?? {};
    } else if ("toolUse" in turn) {
      if (turn.text) content.push({ type: "text", text: turn.text });
      const calls = Array.isArray(turn.toolUse) ? turn.toolUse : [turn.toolUse];
      for (const [i, call] of calls.entries())
        content.push({
          type: "tool_use",
          id: call.id ?? `toolu_fake_${messageCount}_${i}`,
          name: call.name,
          input: call.input ?? {},
        });
      stopReason = "tool_use";
      usage = turn.usage ?? {};
    }
    const outputTokens =
      usage.output_tokens ??
      content.reduce(
        (sum, block) => sum + tokensOf(block.type === "text" ? block.text : JSON.stringify(block.input)),
        0,
      );
    const finalUsage = {
      input_tokens: usage.input_tokens ?? inputTokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };

    if (!streaming) {
      if ("stall" in turn) return; // never answers; close() destroys the socket
      if ("disconnect" in turn) {
        req.socket.destroy();
        return;
      }
      sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: finalUsage,
      });
      return;
    }

    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "request-id": `req_fake_${requests.length}`,
    });
    let gone = false;
    res.on("close", () => {
      gone = true;
    });
    const send = async (type: string, data: Record<string, unknown>) => {
      if (gone) return;
      const ok = res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      if (!ok && !gone)
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
    };

    await send("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...finalUsage, output_tokens: 1 },
      },
    });
    await send("ping", {});

    if ("stall" in turn) return; // keep the response open
    if ("disconnect" in turn) {
      if (turn.disconnect.afterText) {
        await send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
        await send("content_block_delta", {
          index: 0,
          delta: { type: "text_delta", text: turn.disconnect.afterText },
        });
      }
      await sleep(20);
      req.socket.destroy();
      return;
    }
    if ("error" in turn) {
      await send("error", { error: { type: turn.error.type, message: turn.error.message } });
      res.end();
      return;
    }

    const delayMs = "delayMs" in turn ? (turn.delayMs ?? 0) : 0;
    const chunks = "chunks" in turn ? turn.chunks : undefined;
    for (const [index, block] of content.entries()) {
      if (gone) return;
      if (block.type === "text") {
        await send("content_block_start", { index, content_block: { type: "text", text: "" } });
        for (const [i, part] of splitText(block.text, chunks).entries()) {
          if (i > 0 && delayMs > 0) await sleep(delayMs);
          await send("content_block_delta", { index, delta: { type: "text_delta", text: part } });
        }
      } else {
        await send("content_block_start", {
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        });
        const json = JSON.stringify(block.input);
        const half = Math.ceil(json.length / 2);
        for (const part of [json.slice(0, half), json.slice(half)].filter(Boolean))
          await send("content_block_delta", {
            index,
            delta: { type: "input_json_delta", partial_json: part },
          });
      }
      await send("content_block_stop", { index });
    }
    await send("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    await send("message_stop", {});
    if (!gone) res.end();
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { type: "error", error: { type: "api_error", message: String(error) } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    options.urlHost ??
    (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host);

  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    requests,
    get mainRequests() {
      return mainRequests();
    },
    get pending() {
      return queue.length;
    },
    script(turns) {
      queue.push(...turns);
    },
    respond(next) {
      handler = next;
    },
    respondSide(next) {
      sideHandler = next;
    },
    setDefault(turn) {
      fallback = turn;
    },
    waitForMainRequests(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const main = mainRequests();
          if (main.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(main);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fake-anthropic: ${mainRequests().length}/${count} main requests after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      queue = [];
      handler = undefined;
      sideHandler = undefined;
      fallback = { text: "OK" };
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
}
