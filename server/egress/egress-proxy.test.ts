// The real proxy on a real Unix socket, a real audit log, and upstreams on loopback that misbehave
// the way a hostile or broken server would. The proxy's resolver maps the test names to loopback by
// hand (as CLAW_EGRESS_RESOLVE does); only the host-address test resolves without that trust.
import { request } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { type EgressProxy, type EgressResolver, startEgressProxy } from "./egress-proxy";
import { parseRules } from "./egress-rules";

/** A TCP server that answers every request with `raw` (a status line and headers of its choosing). */
async function rawUpstream(raw: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(raw));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

/** One plain-HTTP request through the proxy socket: status and body. */
function viaProxy(socketPath: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: url, method: "GET", headers: { host: new URL(url).host } },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A CONNECT through the proxy socket: the status line it answers with. */
function connectVia(socketPath: string, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: "CONNECT", path: target, headers: { host: target } });
    req.on("connect", (res, socket) => {
      socket.destroy();
      resolve(`${res.statusCode}`);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(`${res.statusCode}`);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A non-loopback address of this host, if it has one (the containers' host always has). */
function ownAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) if (!entry.internal && entry.family === "IPv4") return entry.address;
  return undefined;
}

describe("egress proxy against misbehaving upstreams", () => {
  let log: TestAuditLog;
  let proxy: EgressProxy;
  let socketPath: string;
  const upstreams: Server[] = [];
  const ports: Record<string, number> = {};
  const own = ownAddress();

  beforeAll(async () => {
    log = await createTestAuditLog();
    for (const [name, raw] of Object.entries({
      zero: "HTTP/1.1 0 X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
      high: "HTTP/1.1 999 X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
      fine: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
      badHeader: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Odd: a\u0001b\r\nConnection: close\r\n\r\nhi",
    })) {
      const upstream = await rawUpstream(raw);
      upstreams.push(upstream.server);
      ports[name] = upstream.port;
    }
    // Own-address listener: anything that reaches it proves the refusal failed.
    const untrusted: Record<string, string> = {
      "self.test": own ?? "127.0.0.1",
      "nat64.test": "64:ff9b::7f00:1",
      "compat.test": "::127.0.0.1",
      "mapped.test": "::ffff:7f00:1",
    };
    const resolve: EgressResolver = async (host) => {
      const address = untrusted[host];
      return address ? [{ address, trusted: false }] : [{ address: "127.0.0.1", trusted: true }];
    };
    socketPath = join(log.dir, "run", "proxy.sock");
    proxy = await startEgressProxy({
      owner: { agent: "proxy-test" },
      socketPath,
      rules: parseRules([
        `zero.test:${ports.zero}`,
        `high.test:${ports.high}`,
        `fine.test:${ports.fine}`,
        `bad-header.test:${ports.badHeader}`,
        `self.test:${ports.fine}`,
        `nat64.test:${ports.fine}`,
        `compat.test:${ports.fine}`,
        `mapped.test:${ports.fine}`,
      ]),
      resolve,
      audit: log.audit,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    for (const server of upstreams) server.close();
    await log?.audit.close();
    await log?.db.$disconnect();
  });

  it.each([
    ["zero", "zero.test"],
    ["high", "high.test"],
    ["badHeader", "bad-header.test"],
  ])(
    "answers 502 when the upstream's status line or headers are invalid (%s), and keeps serving",
    async (name, host) => {
      const answer = await viaProxy(socketPath, `http://${host}:${ports[name]}/`);
      expect(answer.status).toBe(502);
      expect(answer.body).toMatch(/^claw egress: /);
      // The same proxy still serves the next request.
      expect(await viaProxy(socketPath, `http://fine.test:${ports.fine}/`)).toEqual({
        status: 200,
        body: "hello",
      });
    },
  );

  it("audits the invalid answer once, as an error of an allowed connection", async () => {
    const highEvents = async () =>
      (await log.db.auditEvent.findMany({ where: { category: "egress" }, orderBy: { id: "asc" } }))
        .map((row) => JSON.parse(row.details) as { host: string; status?: number; error?: string | null })
        .filter((detail) => detail.host === "high.test");
    // The proxy records without waiting for the log: let earlier requests' events land first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = (await highEvents()).length;
    await viaProxy(socketPath, `http://high.test:${ports.high}/`);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await highEvents()).length === before)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300)); // a second event, if any, would land now
    const events = await highEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ status: 999, error: "invalid status code 999" });
  });

  it.skipIf(own === undefined)(
    "refuses a listed name that resolves to one of this host's own addresses",
    async () => {
      const answer = await viaProxy(socketPath, `http://self.test:${ports.fine}/`);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("resolves to an address of this machine");
      expect(await connectVia(socketPath, `self.test:${ports.fine}`)).toBe("403");
    },
  );

  it.each([
    ["nat64.test", "NAT64"],
    ["compat.test", "IPv4-compatible"],
    ["mapped.test", "IPv4-mapped loopback in hex"],
  ])("refuses a listed name that resolves to an IPv6 door into this host (%s: %s)", async (host) => {
    const answer = await viaProxy(socketPath, `http://${host}:${ports.fine}/`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("resolves to an address of this machine or a private network");
    expect(await connectVia(socketPath, `${host}:${ports.fine}`)).toBe("403");
  });

  it("answers 400 to garbage instead of a request, and keeps serving", async () => {
    const { connect } = await import("node:net");
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(socketPath, () => socket.write("\u0000\u0001 not http at all\r\n\r\n"));
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect((await viaProxy(socketPath, `http://fine.test:${ports.fine}/`)).status).toBe(200);
  });
});
