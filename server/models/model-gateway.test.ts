// The real model gateways on real Unix sockets, a real database, audit log and secret store, and
// upstreams on loopback: one that records what reached it and streams on cue (with Anthropic's usage
// events), one that answers with a status Node cannot send.
import { mkdtemp } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { ModelRoute } from "../policy/model-route";
import { upstreamPath } from "../policy/model-route";
import { createSecretStore, type SecretStore } from "../secrets/secret-store";
import { createModelGateways, type ModelGateways } from "./model-gateways";

const key = "sk-ant-api03-REALKEY-0123456789abcdefghijklmnopqrstuvwxyz";
type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string };

function portOf(server: Server | TcpServer): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** One request through the proxy's socket; `onChunk` sees the answer's chunks as they arrive. */
function viaProxy(
  socketPath: string,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
  onChunk: (chunk: string) => void = () => {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: options.path, method: options.method ?? "POST", headers: options.headers },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
          onChunk(chunk.toString());
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const route = (upstream: string, extra: Partial<ModelRoute> = {}): ModelRoute => ({
  provider: "anthropic",
  model: null,
  upstream,
  secret: "anthropic-api-key",
  budget: { tokensPerDay: null, requestsPerMinute: null },
  ...extra,
});

/** An Anthropic stream: message_start with the input tokens, then (on cue) message_delta with the output. */
const sse = {
  start: `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { model: "claude-test", usage: { input_tokens: 30, cache_read_input_tokens: 5, output_tokens: 1 } } })}\n\n`,
  end: `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", usage: { output_tokens: 12 } })}\n\nevent: message_stop\ndata: {}\n\n`,
};

/** The text of a non-streamed Anthropic message. */
const answerText = (body: string) => (JSON.parse(body) as { content: { text: string }[] }).content[0]?.text;

describe("the model gateway", () => {
  let log: TestAuditLog;
  let secrets: SecretStore;
  let gateways: ModelGateways;
  let upstream: Server;
  let odd: TcpServer;
  let dir: string;
  const seen: Seen[] = [];
  /** Resolves the upstream's wait between its two SSE events. */
  let release: () => void = () => {};
  let agentRoute: ModelRoute;
  const sock = (name: string) => join(dir, name, "run", "model", "model.sock");
  const modelRequests = (subject: string) =>
    log.db.modelRequest.findMany({ where: { subject }, orderBy: { id: "asc" } });

  beforeAll(async () => {
    log = await createTestAuditLog();
    dir = await mkdtemp(join(tmpdir(), "claw-model-"));
    secrets = createSecretStore({ dir: join(dir, "secrets"), audit: log.audit });
    await secrets.set("anthropic-api-key", key, "cli");
    await secrets.set("openai-api-key", "sk-or-v1-OPENAIKEY", "cli");
    await secrets.set("oauth-token", "sk-ant-oat01-OAUTHTOKEN", "cli");
    upstream = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        if (req.url?.includes("chat/completions")) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ model: "qwen3", usage: { prompt_tokens: 7, completion_tokens: 3 } }));
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(sse.start);
        // The second event waits until the client has the first: a gateway that gathered the answer
        // would never let the client see it, and this test would time out.
        new Promise<void>((resolve) => {
          release = resolve;
        }).then(() => res.end(sse.end));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    odd = createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nhi"));
    });
    await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
    gateways = createModelGateways({
      db: log.db,
      audit: log.audit,
      secrets,
      overrides: new Map([["model.test", "127.0.0.1"]]),
    });
    agentRoute = route(`http://model.test:${portOf(upstream)}/gw/`, { model: "claude-test" });
    await gateways.ensure({ job: "j-abcdefghij" }, sock("job"), async () =>
      route(`http://model.test:${portOf(upstream)}/gw/`),
    );
    await gateways.ensure({ job: "j-bcdefghijk" }, sock("odd"), async () =>
      route(`http://127.0.0.1:${portOf(odd)}`),
    );
    await gateways.ensure({ agent: "coder" }, sock("coder"), async () => agentRoute);
  });
  afterAll(async () => {
    await gateways?.closeAll();
    upstream?.close();
    odd?.close();
  });

  const streamed = (socketPath: string, body: string, headers: Record<string, string> = {}) =>
    viaProxy(
      socketPath,
      { path: "/v1/messages?beta=true", headers: { "content-type": "application/json", ...headers }, body },
      (chunk) => {
        if (chunk.includes("message_start")) release();
      },
    );

  it("forwards /v1/ with the real key in place of the caller's, streams the answer as it comes, and meters it", async () => {
    const body = JSON.stringify({
      model: "claude",
      stream: true,
      messages: [{ role: "user", content: "secret prompt" }],
    });
    const answer = await streamed(sock("job"), body, {
      "x-api-key": "claw-model-gateway",
      authorization: "Bearer from-the-job",
      cookie: "c=1",
      "proxy-authorization": "Basic eA==",
      "anthropic-version": "2023-06-01",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/event-stream");
    expect(answer.body).toBe(sse.start + sse.end);
    const request = seen.at(-1);
    expect(request?.url).toBe("/gw/v1/messages?beta=true");
    expect(request?.body).toBe(body);
    expect(request?.headers).toMatchObject({
      "x-api-key": key,
      host: `model.test:${portOf(upstream)}`,
      "anthropic-version": "2023-06-01",
    });
    for (const name of ["authorization", "cookie", "proxy-authorization"])
      expect(request?.headers).not.toHaveProperty(name);

    // Metered (input with cache reads; output from the last delta) and audited: never the prompt or the key.
    await expect.poll(async () => (await modelRequests("job:j-abcdefghij")).length).toBe(1);
    const [row] = await modelRequests("job:j-abcdefghij");
    expect(row).toMatchObject({
      job: "j-abcdefghij",
      agent: null,
      provider: "anthropic",
      model: "claude-test",
      status: 200,
      outcome: "ok",
      inputTokens: 35,
      outputTokens: 12,
    });
    await expect
      .poll(async () => (await log.db.auditEvent.findMany({ where: { action: "model_request" } })).length)
      .toBe(1);
    const [event] = await log.db.auditEvent.findMany({ where: { action: "model_request" } });
    expect(event).toMatchObject({ category: "model", actor: "job:j-abcdefghij", outcome: "ok" });
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({
      job: "j-abcdefghij",
      method: "POST",
      path: "/v1/messages",
      status: 200,
      inputTokens: 35,
      outputTokens: 12,
      bytesUp: Buffer.byteLength(body),
      bytesDown: answer.body.length,
    });
    expect(event?.details).not.toContain(key);
    expect(event?.details).not.toContain("secret prompt");
  });

  it("answers 404 for any path outside /v1/, without calling the model API", async () => {
    const before = seen.length;
    for (const path of [
      "/",
      "/v2/messages",
      "/v1",
      "/v1/../admin",
      "/v1/%2e%2e/admin",
      "/v1//x",
      "http://evil.test/v1/messages",
    ]) {
      const answer = await viaProxy(sock("job"), { path, method: "GET" });
      expect(answer.status, path).toBe(404);
    }
    expect(seen.length).toBe(before);
    expect(
      upstreamPath("/v1/messages", { provider: "anthropic", upstream: "https://gw.example.com" }),
    ).toEqual({ path: "/v1/messages", pathname: "/v1/messages" });
    // OpenAI-compatible upstreams carry their version: /v1/chat/completions → <base>/chat/completions.
    expect(
      upstreamPath("/v1/chat/completions", { provider: "openai", upstream: "https://openrouter.ai/api/v1" })
        ?.path,
    ).toBe("/api/v1/chat/completions");
  });

  it("answers 502 when the model API's status line is not one Node can pass on (999)", async () => {
    const answer = await viaProxy(sock("odd"), { path: "/v1/messages", body: "{}" });
    expect(answer.status).toBe(502);
    expect(answer.body).toContain("invalid status (999)");
    await expect
      .poll(async () =>
        (await modelRequests("job:j-bcdefghijk")).map((row) => `${row.outcome} ${row.status}`),
      )
      .toEqual(["error 999"]);
  });

  it("refuses a body over the cap and a request while the key is not set, and keeps serving", async () => {
    const tooBig = await viaProxy(sock("job"), {
      path: "/v1/messages",
      headers: { "content-length": String(33 * 1024 * 1024) },
    });
    // Refused on the declared size, before any of the body is read.
    expect(tooBig.status).toBe(413);
    await secrets.delete("anthropic-api-key", "cli");
    const unset = await viaProxy(sock("job"), { path: "/v1/messages", body: "{}" });
    expect(unset.status).toBe(401);
    // In the provider's own error shape, with the fix: the agent shows it as its model's error.
    expect(JSON.parse(unset.body)).toMatchObject({
      type: "error",
      error: { message: expect.stringContaining("claw secrets set anthropic-api-key") },
    });
    await secrets.set("anthropic-api-key", key, "cli");
    const before = seen.length;
    expect((await streamed(sock("job"), "{}")).status).toBe(200);
    expect(seen.length).toBe(before + 1);
  });

  it("lets an agent use only the model its policy names", async () => {
    const before = seen.length;
    const other = await viaProxy(sock("coder"), {
      path: "/v1/messages",
      body: JSON.stringify({ model: "claude-opus-9" }),
    });
    // Told as the model's answer, so the person chatting reads it (OpenClaw hides a provider's error text).
    expect(other.status).toBe(200);
    expect(answerText(other.body)).toContain("may use only the model claude-test, not claude-opus-9");
    expect(seen.length).toBe(before);
    expect((await streamed(sock("coder"), JSON.stringify({ model: "claude-test" }))).status).toBe(200);
    await expect
      .poll(async () =>
        (await modelRequests("agent:coder")).map((row) => `${row.outcome} ${row.status} ${row.agent}`),
      )
      .toEqual(["denied 403 coder", "ok 200 coder"]);
  });

  it("stops an agent at its daily token budget with an error it can read, counting from the database", async () => {
    // coder has used 47 tokens (the request above): a budget of 47 refuses the next one.
    agentRoute = { ...agentRoute, budget: { tokensPerDay: 47, requestsPerMinute: null } };
    const before = seen.length;
    const refused = await viaProxy(sock("coder"), {
      path: "/v1/messages",
      body: JSON.stringify({ model: "claude-test" }),
    });
    expect(refused.status).toBe(200);
    expect(answerText(refused.body)).toContain("has used its budget of 47 tokens for today");
    expect(seen.length).toBe(before);
    // A fresh set of gateways (a restarted panel) counts the same from the database.
    const again = createModelGateways({
      db: log.db,
      audit: log.audit,
      secrets,
      overrides: new Map([["model.test", "127.0.0.1"]]),
    });
    await gateways.close("agent:coder");
    await again.ensure({ agent: "coder" }, sock("coder"), async () => agentRoute);
    const stillRefused = await viaProxy(sock("coder"), {
      path: "/v1/messages",
      body: JSON.stringify({ model: "claude-test", stream: true }),
    });
    // Streamed when asked for a stream, as the client expects.
    expect(stillRefused.headers["content-type"]).toBe("text/event-stream");
    expect(stillRefused.body).toContain("budget of 47 tokens");
    expect(seen.length).toBe(before);
    agentRoute = { ...agentRoute, budget: { tokensPerDay: 48, requestsPerMinute: null } };
    expect((await streamed(sock("coder"), JSON.stringify({ model: "claude-test" }))).status).toBe(200);
    await again.close("agent:coder");
    await gateways.ensure({ agent: "coder" }, sock("coder"), async () => agentRoute);
  });

  it("holds an agent to its requests per minute", async () => {
    agentRoute = { ...agentRoute, budget: { tokensPerDay: null, requestsPerMinute: 2 } };
    await gateways.ensure({ agent: "busy" }, sock("busy"), async () => agentRoute);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await streamed(sock("busy"), JSON.stringify({ model: "claude-test" }))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("speaks OpenAI-compatible (bearer key, versioned base) and sends an Anthropic OAuth token as a bearer", async () => {
    const base = `http://127.0.0.1:${portOf(upstream)}`;
    await gateways.ensure({ agent: "local" }, sock("local"), async () =>
      route(`${base}/v1`, { provider: "openai", secret: "openai-api-key" }),
    );
    const chat = await viaProxy(sock("local"), {
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer claw-model-gateway" },
      body: JSON.stringify({ model: "qwen3" }),
    });
    expect(chat.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      url: "/v1/chat/completions",
      headers: { authorization: "Bearer sk-or-v1-OPENAIKEY" },
    });
    await expect
      .poll(async () =>
        (await modelRequests("agent:local")).map((row) => [row.inputTokens, row.outputTokens, row.model]),
      )
      .toEqual([[7, 3, "qwen3"]]);

    await gateways.ensure({ agent: "sub" }, sock("sub"), async () => route(base, { secret: "oauth-token" }));
    expect((await streamed(sock("sub"), "{}", { "anthropic-beta": "tools-2024" })).status).toBe(200);
    expect(seen.at(-1)?.headers).toMatchObject({
      authorization: "Bearer sk-ant-oat01-OAUTHTOKEN",
      "anthropic-beta": "tools-2024,oauth-2025-04-20",
    });
    expect(seen.at(-1)?.headers).not.toHaveProperty("x-api-key");

    // A server on the host's loopback that needs no key gets none.
    await gateways.ensure({ agent: "ollama" }, sock("ollama"), async () =>
      route(`${base}/v1`, { provider: "openai", secret: null }),
    );
    expect((await viaProxy(sock("ollama"), { path: "/v1/chat/completions", body: "{}" })).status).toBe(200);
    expect(seen.at(-1)?.headers).not.toHaveProperty("authorization");
  });
});
