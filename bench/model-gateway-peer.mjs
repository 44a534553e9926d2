// The other processes of bench/model-gateway.bench.ts, so the panel's gateway has its process to
// itself as it would: `server` is the model server (a fake Messages API), `client` is the container
// side (the client, and for the gateway path the relay claw-relay.mjs runs in a real container).
// They talk to the bench over IPC.
import { Agent, createServer, request } from "node:http";
import { connect, createServer as createTcpServer } from "node:net";

const [role, key] = process.argv.slice(2);

if (role === "server") {
  const smallAnswer = JSON.stringify({
    id: "msg_bench",
    type: "message",
    role: "assistant",
    model: "claude-bench",
    content: [{ type: "text", text: "x".repeat(800) }],
    stop_reason: "end_turn",
    usage: { input_tokens: 12, output_tokens: 200 },
  });
  const delta = `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "y".repeat(4000) } })}\n\n`;
  const start = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { model: "claude-bench", usage: { input_tokens: 12, output_tokens: 1 } } })}\n\n`;
  const end = `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", usage: { output_tokens: 250000 } })}\n\nevent: message_stop\ndata: {}\n\n`;
  const events = [start, ...Array.from({ length: Math.ceil(1_000_000 / delta.length) }, () => delta), end];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.headers["x-api-key"] !== key) return void res.writeHead(401).end();
      if (!req.url?.includes("stream")) {
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(smallAnswer),
        });
        return void res.end(smallAnswer);
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      let i = 0;
      const pump = () => {
        while (i < events.length) if (!res.write(events[i++])) return void res.once("drain", pump);
        res.end();
      };
      pump();
    });
  });
  server.listen(0, "127.0.0.1", () =>
    process.send?.({
      port: server.address().port,
      streamBytes: events.reduce((n, e) => n + Buffer.byteLength(e), 0),
    }),
  );
}

if (role === "client") {
  /** The container's relay: 127.0.0.1:PORT → the gateway's socket. */
  const relay = (socketPath) =>
    new Promise((resolve) => {
      const server = createTcpServer((client) => {
        const upstream = connect(socketPath);
        client.setNoDelay(true);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", close).on("close", close);
        upstream.on("error", close).on("close", close);
      });
      server.listen(0, "127.0.0.1", () => resolve(server.address().port));
    });
  const post = (port, path, agent, apiKey) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({
        model: "claude-bench",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      });
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          agent,
          headers: {
            "x-api-key": apiKey,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          let bytes = 0;
          res.on("data", (chunk) => {
            bytes += chunk.length;
          });
          res.on("end", () =>
            res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const relays = new Map();
  process.on("message", async ({ port, socketPath, apiKey, requests, streams }) => {
    if (socketPath && !relays.has(socketPath)) relays.set(socketPath, await relay(socketPath));
    const target = socketPath ? relays.get(socketPath) : port;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 30; i++) await post(target, "/v1/messages", agent, apiKey);
    const times = [];
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      await post(target, "/v1/messages", agent, apiKey);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    await post(target, "/v1/messages?stream", agent, apiKey);
    const t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < streams; i++) bytes += await post(target, "/v1/messages?stream", agent, apiKey);
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    process.send?.({ latencyMs: times[Math.floor(times.length / 2)], bytes, mbps: bytes / 1e6 / seconds });
  });
  process.send?.({ ready: true });
}
