import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkTemplate } from "./network-template";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const suffix = randomBytes(3).toString("hex");

type EgressEvent = { action: string; details: Record<string, unknown> };

/** The agent's egress events; the proxy records a connection when it ends, so wait for them. */
async function egressEvents(
  env: Record<string, string>,
  agent: string,
  until: (events: EgressEvent[]) => boolean,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const tail = await runCli(
      ["audit", "tail", "--json", "-n", "200", "--category", "egress", "--agent", agent],
      env,
    );
    const events = tail.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EgressEvent);
    if (until(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Node inside the agent: the image has no curl, and Node is what OpenClaw uses. */
const inAgent = (env: Record<string, string>, agent: string, script: string) =>
  runCli(["exec", agent, "--", "node", "-e", script], env);

describe("egress: network-less agents whose only way out is the audited allowlist proxy", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let server: Server;
  let port: number;
  const agents = { restricted: `egr-${suffix}`, none: `egn-${suffix}`, full: `egf-${suffix}` };

  beforeAll(async () => {
    // A test server on the host, reachable only through names the proxy's resolver maps to it.
    server = createServer((req, res) => res.end(`hello-egress ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    port = (server.address() as AddressInfo).port;
    panel = await startPanel({
      env: { CLAW_EGRESS_RESOLVE: "allowed.test=127.0.0.1,denied.test=127.0.0.1" },
    });
    env = cliEnvOf(panel);
    await mkdir(join(panel.home, "templates"), { recursive: true });
    const templates = {
      restricted: `    profile: restricted\n    allow:\n      - allowed.test:${port}`,
      none: "    profile: none",
      full: "    profile: full",
    };
    for (const [kind, network] of Object.entries(templates)) {
      await writeFile(
        join(panel.home, "templates", `egress-${kind}.yaml`),
        networkTemplate(`egress-${kind}`, network, { cpus: 1 }),
      );
      const name = agents[kind as keyof typeof agents];
      const created = await runCli(["agents", "create", "--template", `egress-${kind}`, "--name", name], env);
      expect(created.code, created.stderr).toBe(0);
      const start = await runCli(["agents", "start", name, "--no-wait"], env);
      expect(start.code, start.stderr).toBe(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the forwarder inside starts
  });
  afterAll(async () => {
    for (const name of Object.values(agents))
      await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    await panel?.stop();
    server?.close();
  });

  it("reaches an allowlisted host through the proxy, by plain HTTP and through a CONNECT tunnel", async () => {
    const viaFetch = await inAgent(
      env,
      agents.restricted,
      `fetch("http://allowed.test:${port}/fetch").then(r => r.text()).then(console.log)`,
    );
    expect(viaFetch.stdout.trim(), viaFetch.stderr).toBe("hello-egress /fetch");

    const viaConnect = await inAgent(
      env,
      agents.restricted,
      `const s = require("net").connect(3128, "127.0.0.1", () => s.write("CONNECT allowed.test:${port} HTTP/1.1\\r\\nHost: allowed.test:${port}\\r\\n\\r\\n"));
       let buf = ""; let sent = false;
       s.on("data", d => { buf += d; if (!sent && buf.includes("\\r\\n\\r\\n")) { sent = true; s.write("GET /tunnel HTTP/1.1\\r\\nHost: allowed.test\\r\\nConnection: close\\r\\n\\r\\n"); } });
       s.on("end", () => console.log(buf));`,
    );
    expect(viaConnect.stdout).toContain("200 Connection Established");
    expect(viaConnect.stdout).toContain("hello-egress /tunnel");

    const viaAbsoluteUrl = await inAgent(
      env,
      agents.restricted,
      `const s = require("net").connect(3128, "127.0.0.1", () => s.write("GET http://allowed.test:${port}/plain HTTP/1.1\\r\\nHost: allowed.test\\r\\nConnection: close\\r\\n\\r\\n"));
       let buf = ""; s.on("data", d => buf += d); s.on("end", () => console.log(buf));`,
    );
    expect(viaAbsoluteUrl.stdout).toContain("hello-egress /plain");

    const allowed = (
      await egressEvents(
        env,
        agents.restricted,
        (events) => events.filter((e) => e.action === "egress_allowed").length >= 3,
      )
    ).filter((event) => event.action === "egress_allowed");
    expect(allowed.map((event) => event.details.method).sort()).toEqual(["CONNECT", "CONNECT", "GET"]);
    expect(allowed[0]?.details).toMatchObject({ host: "allowed.test", port, rule: `allowed.test:${port}` });
    expect(Number(allowed[0]?.details.bytesDown)).toBeGreaterThan(0);
  });

  it("refuses a host not on the list with a clear message, and audits it", async () => {
    const denied = await inAgent(
      env,
      agents.restricted,
      // Node's fetch tunnels through the proxy even for http://; the 403 is the tunnel's answer.
      `fetch("http://denied.test:${port}/").then(r => console.log("reached", r.status), e => console.log("refused:", e.cause?.cause?.message ?? e.message))`,
    );
    expect(denied.stdout, denied.stderr).toContain("refused: Proxy response (403) !== 200");
    const raw = await inAgent(
      env,
      agents.restricted,
      `const s = require("net").connect(3128, "127.0.0.1", () => s.write("GET http://denied.test:${port}/ HTTP/1.1\\r\\nHost: denied.test\\r\\nConnection: close\\r\\n\\r\\n"));
       let buf = ""; s.on("data", d => buf += d); s.on("end", () => console.log(buf));`,
    );
    expect(raw.stdout).toContain("403 Forbidden");
    expect(raw.stdout).toContain(`claw egress: denied.test:${port} is not in this agent's allowlist`);
    const wrongPort = await inAgent(
      env,
      agents.restricted,
      `fetch("http://allowed.test:${port + 1}/").then(r => console.log(r.status), e => console.log(String(e.cause?.cause?.message ?? e.cause?.message ?? e)))`,
    );
    expect(wrongPort.stdout).toContain("403");
    const denials = (
      await egressEvents(env, agents.restricted, (events) => events.some((e) => e.action === "egress_denied"))
    ).filter((event) => event.action === "egress_denied");
    expect(denials.map((event) => event.details.host)).toContain("denied.test");
  });

  it("has no way around the proxy: no direct connection, raw IP, DNS or host loopback", async () => {
    const attempts = await inAgent(
      env,
      agents.restricted,
      `const net = require("net"), dns = require("dns");
       const tryConnect = (host, port) => new Promise(r => { const s = net.connect(port, host, () => { s.destroy(); r("CONNECTED"); }); s.on("error", e => r(e.code)); setTimeout(() => r("TIMEOUT"), 3000); });
       (async () => {
         console.log("ip", await tryConnect("1.1.1.1", 443));
         console.log("hostloopback", await tryConnect("10.88.0.1", ${port}));
         console.log("loopback", await tryConnect("127.0.0.1", ${port}));
         console.log("dns", await new Promise(r => dns.resolve4("example.com", e => r(e ? e.code : "RESOLVED"))));
         console.log("ifaces", Object.keys(require("os").networkInterfaces()).join(","));
       })();`,
    );
    const out = attempts.stdout;
    expect(out).toMatch(/^ip (ENETUNREACH|EHOSTUNREACH|TIMEOUT)$/m);
    expect(out).toMatch(/^hostloopback (ENETUNREACH|EHOSTUNREACH|TIMEOUT)$/m);
    expect(out).toMatch(/^loopback ECONNREFUSED$/m); // the container's own loopback: nothing of the host's
    expect(out).not.toContain("RESOLVED");
    expect(out).toMatch(/^ifaces lo$/m);
  });

  it("none has no network and no proxy; full reaches the host's network directly", async () => {
    const none = await inAgent(
      env,
      agents.none,
      `console.log(Object.keys(require("os").networkInterfaces()).join(","), process.env.HTTP_PROXY ?? "no-proxy");
       require("net").connect(3128, "127.0.0.1").on("error", e => console.log(e.code));`,
    );
    expect(none.stdout).toContain("lo no-proxy");
    expect(none.stdout).toContain("ECONNREFUSED");

    const full = await inAgent(
      env,
      agents.full,
      `const gw = require("fs").readFileSync("/proc/net/route", "utf8").split("\\n").map(l => l.split("\\t")).find(c => c[1] === "00000000");
       const ip = gw[2].match(/../g).reverse().map(h => parseInt(h, 16)).join(".");
       fetch("http://" + ip + ":${port}/full").then(r => r.text()).then(console.log, e => console.log("ERR", e.message));`,
    );
    expect(full.stdout.trim()).toBe("hello-egress /full");
  });
});
