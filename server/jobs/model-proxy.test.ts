// The real model proxy on a real Unix socket, a real audit log, and upstreams on loopback: one
// that records what reached it and streams on cue, one that answers with a status Node cannot send.
import { mkdtemp } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { type ModelProxy, modelPath, startModelProxy } from "./model-proxy";

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

describe("the job's model proxy", () => {
  let log: TestAuditLog;
  let upstream: Server;
  let odd: TcpServer;
  let proxy: ModelProxy;
  let oddProxy: ModelProxy;
  let socketPath: string;
  let oddSocket: string;
  let apiKey: string | undefined = key;
  const seen: Seen[] = [];
  /** Resolves the upstream's wait between its two SSE events. */
  let release: () => void = () => {};

  beforeAll(async () => {
    log = await createTestAuditLog();
    upstream = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("event: message_start\ndata: {}\n\n");
        // The second event waits until the client has the first: a proxy that gathered the answer
        // would never let the client see it, and this test would time out.
        new Promise<void>((resolve) => {
          release = resolve;
        }).then(() => res.end("event: message_stop\ndata: {}\n\n"));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    odd = createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nhi"));
    });
    await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
    const dir = await mkdtemp(join(tmpdir(), "claw-model-"));
    socketPath = join(dir, "run", "model", "model.sock");
    oddSocket = join(dir, "odd", "model.sock");
    const overrides = new Map([["model.test", "127.0.0.1"]]);
    proxy = await startModelProxy({
      job: "j-abcdefghij",
      socketPath,
      upstream: async () => ({ baseUrl: `http://model.test:${portOf(upstream)}/gw/`, apiKey }),
      overrides,
      audit: log.audit,
    });
    oddProxy = await startModelProxy({
      job: "j-bcdefghijk",
      socketPath: oddSocket,
      upstream: async () => ({ baseUrl: `http://127.0.0.1:${portOf(odd)}`, apiKey }),
      overrides,
      audit: log.audit,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await oddProxy?.close();
    upstream?.close();
    odd?.close();
  });

  it("forwards /v1/ with the real key in place of the job's, and streams the answer as it comes", async () => {
    const body = JSON.stringify({
      model: "claude",
      stream: true,
      messages: [{ role: "user", content: "secret prompt" }],
    });
    const answer = await viaProxy(
      socketPath,
      {
        path: "/v1/messages?beta=true",
        headers: {
          "content-type": "application/json",
          "x-api-key": "claw-model-proxy",
          authorization: "Bearer from-the-job",
          cookie: "c=1",
          "proxy-authorization": "Basic eA==",
          "anthropic-version": "2023-06-01",
        },
        body,
      },
      (chunk) => {
        if (chunk.includes("message_start")) release();
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/event-stream");
    expect(answer.body).toBe("event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n");
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

    // One event, with sizes and the path, never the prompt or the key.
    await expect
      .poll(async () => (await log.db.auditEvent.findMany({ where: { action: "model_request" } })).length)
      .toBe(1);
    const [event] = await log.db.auditEvent.findMany({ where: { action: "model_request" } });
    expect(event).toMatchObject({ category: "egress", actor: "job:j-abcdefghij", outcome: "ok" });
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({
      job: "j-abcdefghij",
      method: "POST",
      path: "/v1/messages",
      status: 200,
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
      const answer = await viaProxy(socketPath, { path, method: "GET" });
      expect(answer.status, path).toBe(404);
    }
    expect(seen.length).toBe(before);
    expect(modelPath("/v1/messages", "https://gw.example.com")).toEqual({
      path: "/v1/messages",
      pathname: "/v1/messages",
    });
  });

  it("answers 502 when the model API's status line is not one Node can pass on (999)", async () => {
    const answer = await viaProxy(oddSocket, { path: "/v1/messages", body: "{}" });
    expect(answer.status).toBe(502);
    expect(answer.body).toContain("invalid status (999)");
    await expect
      .poll(async () => {
        const events = await log.db.auditEvent.findMany({ where: { actor: "job:j-bcdefghijk" } });
        return events.map((event) => `${event.outcome} ${JSON.parse(event.details).status}`);
      })
      .toEqual(["error 999"]);
  });

  it("refuses a body over the cap and a request while no key is set, and keeps serving", async () => {
    const tooBig = await viaProxy(socketPath, {
      path: "/v1/messages",
      headers: { "content-length": String(33 * 1024 * 1024) },
    });
    // Refused on the declared size, before any of the body is read.
    expect(tooBig.status).toBe(413);
    apiKey = undefined;
    expect((await viaProxy(socketPath, { path: "/v1/messages", body: "{}" })).status).toBe(503);
    apiKey = key;
    const before = seen.length;
    const again = viaProxy(socketPath, { path: "/v1/messages", body: "{}" }, (chunk) => {
      if (chunk.includes("message_start")) release();
    });
    expect((await again).status).toBe(200);
    expect(seen.length).toBe(before + 1);
  });
});
