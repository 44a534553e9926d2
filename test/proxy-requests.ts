import { runCli } from "./run-cli";

/** One request an agent makes through its egress proxy: plain HTTP (`GET http://…`) or a CONNECT tunnel. */
export type ProxyRequest = { host: string; port: number; path: string; tunnel?: boolean };

/** What the agent saw: the proxy's (or, through it, the server's) status and body. */
export type ProxyAnswer = { status: number; body: string };

// Node inside the agent (the image has no curl), at the forwarder on 127.0.0.1:3128 as HTTP_PROXY
// points it. Each request on its own connection, all at once; one JSON line of answers at the end.
const script = `const http = require("http"), net = require("net");
const requests = JSON.parse(process.argv[1]);
const viaGet = (r) => new Promise((resolve) => {
  const req = http.request({ host: "127.0.0.1", port: 3128, path: "http://" + r.host + ":" + r.port + r.path,
    headers: { host: r.host + ":" + r.port }, agent: false }, (res) => {
    let body = ""; res.on("data", (d) => { body += d; }); res.on("end", () => resolve({ status: res.statusCode, body }));
  });
  req.on("error", (e) => resolve({ status: 0, body: e.message }));
  req.end();
});
const viaTunnel = (r) => new Promise((resolve) => {
  const s = net.connect(3128, "127.0.0.1", () =>
    s.write("CONNECT " + r.host + ":" + r.port + " HTTP/1.1\\r\\nHost: " + r.host + ":" + r.port + "\\r\\n\\r\\n"));
  let buf = ""; let sent = false;
  s.on("data", (d) => {
    buf += d;
    if (!sent && buf.includes("\\r\\n\\r\\n") && buf.startsWith("HTTP/1.1 200")) {
      sent = true;
      s.write("GET " + r.path + " HTTP/1.1\\r\\nHost: " + r.host + ":" + r.port + "\\r\\nConnection: close\\r\\n\\r\\n");
    }
  });
  const done = () => resolve({ status: Number(buf.slice(9, 12)) || 0, body: buf });
  s.on("end", done); s.on("error", done);
});
Promise.all(requests.map((r) => (r.tunnel ? viaTunnel(r) : viaGet(r)))).then((out) => console.log(JSON.stringify(out)));`;

/** Makes the requests from inside the running agent (`claw exec`), concurrently, and returns what each got. */
export async function requestsFromAgent(
  env: Record<string, string>,
  agent: string,
  requests: ProxyRequest[],
): Promise<ProxyAnswer[]> {
  const run = await runCli(["exec", agent, "--", "node", "-e", script, JSON.stringify(requests)], env);
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as ProxyAnswer[];
  } catch {
    throw new Error(`no answers from inside ${agent} (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}
