/**
 * The web terminal's cost: keystroke-to-echo latency and output throughput through the panel
 * (tRPC ticket, WebSocket, exec over Podman's API, ack-paced flow control) against a direct
 * `podman exec -it` in a local pty (util-linux `script` allocates it), in one run on one machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import WebSocket from "ws";
import { runCli } from "../test/run-cli";
import { cliEnvOf, loginToPanel, startPanel } from "../test/start-panel";

const keystrokes = Number(process.env.BENCH_KEYSTROKES ?? 200);
const floodBytes = 20_000_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A terminal either way: write keys, wait for output. */
type Terminal = {
  write(text: string): void;
  onOutput(listener: (chunk: Buffer) => void): void;
  close(): void;
};

async function echoLatencies(term: Terminal): Promise<number[]> {
  let waiting: ((chunk: Buffer) => void) | undefined;
  term.onOutput((chunk) => waiting?.(chunk));
  const times: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    const echoed = new Promise<void>((resolve) => {
      waiting = (chunk) => {
        if (chunk.includes("x")) resolve();
      };
    });
    const t0 = performance.now();
    term.write("x");
    await echoed;
    times.push(performance.now() - t0);
    if (i % 50 === 49) {
      term.write("\u0015"); // Ctrl-U: clear the line
      await sleep(50);
    }
  }
  term.write("\u0015");
  await sleep(100);
  return times;
}

async function throughput(term: Terminal): Promise<number> {
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  term.onOutput((chunk) => {
    received += chunk.length;
    if (chunk.includes("FLOOD-DONE-7")) done();
  });
  const t0 = performance.now();
  term.write(`yes | head -c ${floodBytes}; echo FLOOD-DONE-$((3+4))\r`);
  await finished;
  return received / 1e6 / ((performance.now() - t0) / 1000);
}

function direct(container: string, confPath: string): { term: Terminal; child: ChildProcess } {
  const child = spawn(
    "script",
    ["-qfc", `podman exec -it --user 1000:1000 -w /workspace ${container} /bin/bash -l`, "/dev/null"],
    {
      env: { ...process.env, CONTAINERS_CONF: confPath, TERM: "xterm-256color" },
    },
  );
  const listeners: ((chunk: Buffer) => void)[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const listener of listeners) listener(chunk);
  });
  return {
    child,
    term: {
      write: (text) => child.stdin?.write(text),
      onOutput: (listener) => listeners.push(listener),
      close: () => child.kill("SIGKILL"),
    },
  };
}

async function viaPanel(url: string, cookie: string, agent: string): Promise<Terminal> {
  const open = await fetch(`${url}/api/trpc/terminal.open`, {
    method: "POST",
    headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
    body: JSON.stringify({ agent, cols: 120, rows: 40 }),
  });
  const { ticket } = ((await open.json()) as { result: { data: { ticket: string } } }).result.data;
  const ws = new WebSocket(`${url.replace("http", "ws")}/ws/terminal?ticket=${ticket}`, {
    headers: { cookie, origin: url },
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const listeners: ((chunk: Buffer) => void)[] = [];
  ws.on("message", (data, isBinary) => {
    if (!isBinary) return;
    const chunk = data as Buffer;
    for (const listener of listeners) listener(chunk);
    ws.send(JSON.stringify({ type: "ack", bytes: chunk.length })); // as the browser does once written
  });
  return {
    write: (text) => ws.send(JSON.stringify({ type: "input", data: text })),
    onOutput: (listener) => listeners.push(listener),
    close: () => ws.close(),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;

export async function run() {
  const panel = await startPanel();
  const env = cliEnvOf(panel);
  const agent = `bench-term-${Date.now().toString(36)}`;
  try {
    if ((await runCli(["images", "build"], env)).code !== 0) throw new Error("image build failed");
    if ((await runCli(["agents", "create", "--template", "coder", "--name", agent], env)).code !== 0)
      throw new Error("create failed");
    const start = await runCli(["agents", "start", agent, "--no-wait"], env);
    if (start.code !== 0) throw new Error(start.stderr);
    const login = await loginToPanel(panel, await panel.token());
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

    const bare = direct(`claw-agent-${agent}`, join(panel.home, "containers.conf"));
    await sleep(2_000);
    const bareEcho = await echoLatencies(bare.term);
    const bareThroughput = await throughput(bare.term);
    bare.term.close();

    const panelTerm = await viaPanel(panel.url, cookie, agent);
    await sleep(2_000);
    const panelEcho = await echoLatencies(panelTerm);
    const panelThroughput = await throughput(panelTerm);
    panelTerm.close();

    console.log(`${keystrokes} keystrokes each; throughput: \`yes | head -c ${floodBytes}\``);
    console.log("| path | echo median ms | echo p95 ms | vs direct | throughput MB/s | vs direct |");
    console.log("|---|---|---|---|---|---|");
    console.log(
      `| direct \`podman exec -it\` in a local pty (baseline) | ${median(bareEcho).toFixed(2)} | ${p95(bareEcho).toFixed(2)} | 1.00× | ${bareThroughput.toFixed(1)} | 1.00× |`,
    );
    console.log(
      `| panel: WebSocket → exec over Podman's API | ${median(panelEcho).toFixed(2)} | ${p95(panelEcho).toFixed(2)} | ${(median(panelEcho) / median(bareEcho)).toFixed(2)}× | ${panelThroughput.toFixed(1)} | ${(panelThroughput / bareThroughput).toFixed(2)}× |`,
    );
  } finally {
    await runCli(["agents", "delete", agent, "--force"], env).catch(() => {});
    await panel.stop();
  }
}
