/**
 * The panel under load (issue 20): many agents (some running), open status sockets, terminals and
 * Claude Code jobs at once. Figures: p50/p95 of `agents.list`, `system.status` and a terminal
 * keystroke's echo, and the panel process's CPU (% of one core, from /proc/PID/stat) and RSS, each
 * against a baseline taken in the same run on the same panel before the load (one agent, nothing
 * open). The jobs reach a local fake of the Messages API that holds their request unanswered, so
 * they stay running.
 * CLAW_BENCH_LOAD_AGENTS (200), _RUNNING (20), _STATUS_SOCKETS (50), _TERMINALS (20), _JOBS (5),
 * _REQUESTS (200 per query) and _KEYSTROKES (100) set the sizes; everything is removed afterwards.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import WebSocket from "ws";
import { homeIdOf } from "../server/agents/agent-service";
import { startFakeAnthropic } from "../test/fake-anthropic";
import { writeTestJobTemplate } from "../test/job-templates";
import { runCli } from "../test/run-cli";
import { cliEnvOf, loginToPanel, panelClient, type RunningPanel, startPanel } from "../test/start-panel";
import { measureRequests, type Sample } from "./measure";

const exec = promisify(execFile);
const count = (name: string, fallback: number) => Number(process.env[`CLAW_BENCH_LOAD_${name}`] ?? fallback);
const sizes = {
  agents: count("AGENTS", 200),
  running: count("RUNNING", 20),
  statusSockets: count("STATUS_SOCKETS", 50),
  terminals: count("TERMINALS", 20),
  jobs: count("JOBS", 5),
  requests: count("REQUESTS", 200),
  keystrokes: count("KEYSTROKES", 100),
};
const apiHost = "fake-anthropic.bench";
const apiKey = `sk-ant-api03-${randomBytes(24).toString("base64url")}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const benchStarted = performance.now();
/** A progress line on stderr (the figures go to stdout): the bench takes minutes at full size. */
const progress = (what: string) =>
  console.error(`load: ${what} (${((performance.now() - benchStarted) / 1000).toFixed(0)} s)`);

type Usage = { cpuPercent: number; rss: number };

/** The panel process's CPU time in seconds (user + system) and its resident memory in bytes. */
async function processTimes(pid: number, ticksPerSecond: number) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
  return { cpu, rss };
}

/** CPU (% of one core) and RSS (at the end) of the panel while `work` runs. */
async function usageDuring(
  pid: number,
  ticksPerSecond: number,
  work: () => Promise<unknown>,
): Promise<Usage> {
  const before = await processTimes(pid, ticksPerSecond);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = await processTimes(pid, ticksPerSecond);
  return { cpuPercent: ((after.cpu - before.cpu) / seconds) * 100, rss: after.rss };
}

/** A terminal as the browser's: binary output (acked once read), JSON control. */
class BenchTerminal {
  private listeners: ((chunk: Buffer) => void)[] = [];
  readonly ready: Promise<void>;
  private readonly ws: WebSocket;

  constructor(url: string, ticket: string, cookie: string) {
    this.ws = new WebSocket(`${url.replace("http", "ws")}/ws/terminal?ticket=${ticket}`, {
      headers: { cookie, origin: url },
    });
    this.ready = new Promise((resolve, reject) => {
      this.ws.on("message", (data, isBinary) => {
        if (!isBinary) {
          const control = JSON.parse(String(data)) as { type: string; reason?: string };
          if (control.type === "ready") resolve();
          if (control.type === "exit") reject(new Error(`terminal ended: ${control.reason}`));
          return;
        }
        const chunk = data as Buffer;
        for (const listener of this.listeners) listener(chunk);
        this.ws.send(JSON.stringify({ type: "ack", bytes: chunk.length }));
      });
      this.ws.once("error", reject);
      this.ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`terminal: HTTP ${res.statusCode}`)),
      );
    });
  }

  static async open(panel: RunningPanel, cookie: string, agent: string) {
    const answer = await fetch(`${panel.url}/api/trpc/terminal.open`, {
      method: "POST",
      headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
      body: JSON.stringify({ agent, cols: 120, rows: 40 }),
    });
    const json = (await answer.json()) as { result?: { data: { ticket: string } } };
    if (!json.result) throw new Error(`terminal.open: HTTP ${answer.status} ${JSON.stringify(json)}`);
    const terminal = new BenchTerminal(panel.url, json.result.data.ticket, cookie);
    await terminal.ready;
    return terminal;
  }

  write(text: string) {
    this.ws.send(JSON.stringify({ type: "input", data: text }));
  }

  /** Keystroke-to-echo times in ms: one "x" at a time, the line cleared every 50. */
  async echoTimes(keystrokes: number): Promise<number[]> {
    await sleep(1000); // the shell's prompt first
    let waiting: ((chunk: Buffer) => void) | undefined;
    const listener = (chunk: Buffer) => waiting?.(chunk);
    this.listeners.push(listener);
    const times: number[] = [];
    for (let i = 0; i < keystrokes; i++) {
      const echoed = new Promise<void>((resolve) => {
        waiting = (chunk) => chunk.includes("x") && resolve();
      });
      const started = performance.now();
      this.write("x");
      await echoed;
      times.push(performance.now() - started);
      if (i % 50 === 49) {
        this.write("\u0015"); // Ctrl-U: clear the line
        await sleep(50);
      }
    }
    this.write("\u0015");
    this.listeners = this.listeners.filter((other) => other !== listener);
    return times;
  }

  close() {
    this.ws.send(JSON.stringify({ type: "close" }));
    this.ws.close();
  }
}

function sampleOf(times: number[], seconds: number): Sample {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), perSecond: times.length / seconds };
}

/** `/ws/status` sockets as the home page opens them; counts the pushes they hear. */
async function openStatusSockets(panel: RunningPanel, cookie: string, n: number) {
  let pushes = 0;
  const sockets = await Promise.all(
    Array.from({ length: n }, async () => {
      const ws = new WebSocket(`${panel.url.replace("http", "ws")}/ws/status`, {
        headers: { cookie, origin: panel.url },
      });
      ws.on("message", () => {
        pushes++;
      });
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      return ws;
    }),
  );
  return { sockets, pushes: () => pushes };
}

/** Runs `task` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

export async function run() {
  const ticksPerSecond = Number((await exec("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
  const fake = await startFakeAnthropic({ apiKey });
  // An answer that never comes: the jobs stay running (container, Claude Code, a model connection open
  // through the gateway) for the whole bench, and nothing of the fake outlives it.
  fake.setDefault({ stall: true });
  const panel = await startPanel({ env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1` } });
  const env = cliEnvOf(panel);
  const client = panelClient(panel);
  const pid = panel.process.pid as number;
  const prefix = `load-${randomBytes(2).toString("hex")}`;
  const names = Array.from({ length: sizes.agents }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
  const terminals: BenchTerminal[] = [];
  const jobIds: string[] = [];
  let statusSockets: WebSocket[] = [];
  try {
    progress("panel started");
    if ((await runCli(["images", "build"], env)).code !== 0) throw new Error("image build failed");
    progress("images there");
    await writeTestJobTemplate(panel.home, "bench-load", { idleTimeoutSeconds: 900 });
    const configured = await runCli(
      ["jobs", "config", "--base-url", `http://${apiHost}:${fake.port}`, "--api-key-stdin"],
      env,
      apiKey,
    );
    if (configured.code !== 0) throw new Error(`jobs config: ${configured.stderr}`);
    const login = await loginToPanel(panel, await panel.token());
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const headers = { cookie, "x-claw-csrf": "1", "sec-fetch-site": "same-origin" };
    const query = (path: string) =>
      measureRequests(`${panel.url}/api/trpc/${path}`, {
        headers,
        count: sizes.requests,
        warmup: Math.min(20, sizes.requests),
      });
    const [first = "", ...rest] = names;

    // Baseline: one agent, running, one terminal; nothing else open.
    await client.agents.create.mutate({ name: first, template: "coder" });
    await client.agents.start.mutate({ name: first });
    progress("first agent started");
    await sleep(5000);
    const idleBefore = await usageDuring(pid, ticksPerSecond, () => sleep(10_000));
    const listBefore = await query("agents.list");
    const statusBefore = await query("system.status");
    const lone = await BenchTerminal.open(panel, cookie, first);
    const echoStarted = performance.now();
    const echoBefore = sampleOf(
      await lone.echoTimes(sizes.keystrokes),
      (performance.now() - echoStarted) / 1000,
    );
    lone.close();
    progress("baseline measured");

    // The load.
    const createStarted = performance.now();
    await inParallel(rest, 2, (name) => client.agents.create.mutate({ name, template: "coder" }));
    const createSeconds = (performance.now() - createStarted) / 1000;
    progress(`${names.length} agents created`);
    const running = names.slice(0, Math.max(1, sizes.running));
    const startStarted = performance.now();
    for (const name of running.slice(1)) await client.agents.start.mutate({ name });
    const startSeconds = (performance.now() - startStarted) / 1000;
    progress(`${running.length} agents started`);
    const status = await openStatusSockets(panel, cookie, sizes.statusSockets);
    statusSockets = status.sockets;
    for (let i = 0; i < sizes.terminals; i++)
      terminals.push(await BenchTerminal.open(panel, cookie, running[i % running.length] ?? first));
    progress("status sockets and terminals open");
    for (let i = 0; i < sizes.jobs; i++) {
      const job = await client.jobs.start.mutate({ prompt: `load ${i}`, template: "bench-load" });
      jobIds.push(job.jobId);
    }
    const jobStates = async () =>
      Promise.all(
        jobIds.map(async (id) => {
          const job = await client.jobs.get.query({ id });
          return job.status === "failed" ? `failed (${job.errorType}: ${job.errorMessage})` : job.status;
        }),
      );
    for (let waited = 0; waited < 120 && (await jobStates()).some((state) => state === "pending"); waited++)
      await sleep(1000);
    progress(`jobs ${(await jobStates()).join(", ")}`);
    await sleep(5000);

    const pushesBefore = status.pushes();
    const idleUnder = await usageDuring(pid, ticksPerSecond, () => sleep(10_000));
    let listUnder: Sample = listBefore;
    let statusUnder: Sample = statusBefore;
    let echoUnder: Sample = echoBefore;
    const measuring = await usageDuring(pid, ticksPerSecond, async () => {
      listUnder = await query("agents.list");
      statusUnder = await query("system.status");
      const probe = terminals[0] ?? (await BenchTerminal.open(panel, cookie, first));
      const started = performance.now();
      echoUnder = sampleOf(await probe.echoTimes(sizes.keystrokes), (performance.now() - started) / 1000);
    });
    progress("measured under load");
    const pushesPerSecond = (status.pushes() - pushesBefore) / 10;
    const states = await jobStates();
    const listed = await client.agents.list.query();
    const runningNow = listed.agents.filter((agent) => agent.live?.state === "running").length;

    console.log(
      `${sizes.agents} agents (created in ${createSeconds.toFixed(0)} s, 2 at a time), ${running.length} running ` +
        `(${runningNow} running at the end; ${running.length - 1} started in ${startSeconds.toFixed(0)} s), ` +
        `${sizes.statusSockets} status sockets (${pushesPerSecond.toFixed(1)} pushes/s heard), ` +
        `${sizes.terminals} idle terminals, ${sizes.jobs} jobs (${states.join(", ")}); ` +
        `${sizes.requests} sequential requests per query, ${sizes.keystrokes} keystrokes. ` +
        `Baseline: the same panel before the load (1 agent running, nothing open).`,
    );
    const row = (name: string, before: Sample, under: Sample) =>
      `| ${name} | ${before.median.toFixed(1)} / ${before.p95.toFixed(1)} | ${under.median.toFixed(1)} / ${under.p95.toFixed(1)} | ${(under.median / before.median).toFixed(2)}× / ${(under.p95 / before.p95).toFixed(2)}× |`;
    console.log("| figure | baseline p50 / p95 ms | under load p50 / p95 ms | ratio p50 / p95 |");
    console.log("|---|---|---|---|");
    console.log(row(`agents.list (1 vs ${sizes.agents} agents)`, listBefore, listUnder));
    console.log(row(`system.status (0 vs ${sizes.statusSockets} status sockets)`, statusBefore, statusUnder));
    console.log(row("terminal echo (1 terminal vs under load)", echoBefore, echoUnder));
    console.log("| panel process | baseline | under load | ratio |");
    console.log("|---|---|---|---|");
    console.log(
      `| CPU, idle 10 s (% of one core) | ${idleBefore.cpuPercent.toFixed(1)} | ${idleUnder.cpuPercent.toFixed(1)} | ${(idleUnder.cpuPercent / Math.max(idleBefore.cpuPercent, 0.1)).toFixed(1)}× |`,
    );
    console.log(`| CPU while measuring (% of one core) | — | ${measuring.cpuPercent.toFixed(1)} | — |`);
    console.log(
      `| RSS | ${mib(idleBefore.rss)} | ${mib(measuring.rss)} | ${(measuring.rss / idleBefore.rss).toFixed(2)}× |`,
    );
  } finally {
    for (const terminal of terminals) terminal.close();
    for (const ws of statusSockets) ws.close();
    for (const id of jobIds) await client.jobs.cancel.mutate({ id }).catch(() => {});
    progress("jobs cancelled");
    await inParallel(names, 2, (name) => client.agents.delete.mutate({ name, force: true }).catch(() => {}));
    progress("agents deleted");
    await panel.stop();
    progress("panel stopped");
    // Whatever is left of this home's containers (a job's, an agent's a failed delete kept).
    const { stdout } = await exec("podman", [
      "ps",
      "-aq",
      "--filter",
      `label=claw.home=${homeIdOf(panel.home)}`,
    ]);
    const left = stdout.split("\n").filter(Boolean);
    if (left.length > 0) await exec("podman", ["rm", "-f", "-t", "0", ...left]).catch(() => {});
    await rm(dirname(panel.home), { recursive: true, force: true });
    await fake.close();
    progress("cleaned up");
  }
}
