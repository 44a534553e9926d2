import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { homeIdOf } from "../server/agents/agent-service";
import { appRouter } from "../server/routers/root";
import { oddRequests, plainRoutes, requestMethod, requestTarget } from "./fuzz-http";
import {
  encodePart,
  type JsonSchema,
  mutated,
  oddNumber,
  oddString,
  overTheWire,
  validLooking,
} from "./fuzz-inputs";
import { clientFrame, playSocket, type SocketOutcome, socketAction, socketEnding } from "./fuzz-sockets";
import { postLarge, rawRequest, resetAfter } from "./raw-http";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, projectRoot, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);

/** Every property here draws from this seed; a failure names it, and FUZZ_SEED=… replays the run. */
const seed = Number(process.env.FUZZ_SEED ?? 2020);

/**
 * Procedures whose valid input would act on the host (start or stop containers, build images,
 * start jobs, remove containers or workspaces, contact Telegram or a webhook elsewhere): fuzzed
 * only with inputs their schema refuses, so the panel's validation path is what they exercise.
 */
const invalidOnly = new Map<string, string>([
  ["agents.start", "starts a container"],
  ["agents.stop", "stops a container"],
  ["agents.restart", "restarts a container"],
  ["agents.delete", "removes a container and moves files"],
  ["agents.removeOrphan", "removes a container by id, host-wide"],
  ["images.build", "builds an image: minutes of CPU"],
  ["jobs.start", "starts a job container"],
  ["jobs.cleanup", "removes job containers and workspaces"],
  ["jobs.configure", "points jobs at a model server or webhook elsewhere"],
  ["access.configureTelegram", "starts polling a Bot API"],
  ["access.pair", "asks the Telegram Bot API"],
]);

type Procedure = { _def: { type: "query" | "mutation" | "subscription"; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

const trace = process.env.FUZZ_TRACE ? (line: string) => process.stderr.write(`${line}\n`) : () => {};

/** Lines in the panel's output that mean something was not handled. */
function unhandled(output: string): string[] {
  return output
    .split("\n")
    .filter(
      (line) =>
        /uncaught|unhandled/i.test(line) ||
        /^\s+at \S/.test(line) ||
        /^\[(http|trpc|ws)\] .*failed/.test(line) ||
        /^\w*Error\b/.test(line),
    );
}

/** How the panel answered, by kind and status: printed at the end, for the record. */
const tally = new Map<string, number>();
const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Runs a property; a failure says which seed replays it. */
async function check<Ts>(what: string, property: fc.IAsyncProperty<Ts>, numRuns: number, offset: number) {
  try {
    await fc.assert(property, { seed: seed + offset, numRuns, endOnFailure: true });
  } catch (error) {
    throw new Error(`${what} failed (replay with FUZZ_SEED=${seed}):\n${(error as Error).message}`);
  }
}

describe("fuzz: one real panel under malformed input", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let cookie: string;
  let baselineRss = 0;
  const tag = randomBytes(3).toString("hex");
  const agent = `fuzz-${tag}`;
  const logAgent = `fuzzlog-${tag}`;
  const logLines = 6000;

  const headers = () => ({ cookie, "x-claw-csrf": "1" });
  const wsHeaders = () => ({ cookie, origin: panel.url });
  const wsUrl = (path: string) => `ws://127.0.0.1:${panel.port}${path}`;

  beforeAll(async () => {
    console.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays this run)`);
    panel = await startPanel();
    env = cliEnvOf(panel);
    const login = await loginToPanel(panel, await panel.token());
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    for (const name of [agent, logAgent]) {
      const created = await runCli(["agents", "create", "--template", "coder", "--name", name], env);
      expect(created.code, created.stderr).toBe(0);
    }
    const started = await runCli(["agents", "start", agent, "--no-wait"], env);
    expect(started.code, started.stderr).toBe(0);
    // An agent's own shell cannot reopen its container's stdout, so the logs agent's container is
    // one whose main process writes the lines: same name and labels, found as the real one is.
    await exec("podman", [
      ...["run", "-d", "--name", `claw-agent-${logAgent}`, "--network", "none", "--cap-drop", "ALL"],
      ...[
        "--user",
        "1000:1000",
        "--userns",
        "auto",
        "--ulimit",
        "nofile=20000:20000",
        "--ulimit",
        "nproc=20000:20000",
      ],
      ...["--label", `claw.home=${homeIdOf(panel.home)}`, "--label", `claw.agent=${logAgent}`],
      "localhost/claw-claude-code:latest",
      ...["sh", "-c", `seq -f 'log line %06g ${"x".repeat(80)}' ${logLines}; sleep 600`],
    ]);
  });

  afterAll(async () => {
    await exec("podman", ["rm", "-f", "-t", "0", `claw-agent-${agent}`, `claw-agent-${logAgent}`]).catch(
      () => {},
    );
    await panel?.stop();
    if (panel) await rm(dirname(panel.home), { recursive: true, force: true });
  });

  /** A tRPC call as the browser makes it (or as the CLI does, over the socket), answered with its status. */
  async function call(
    name: string,
    type: string,
    input: unknown,
    via: "browser" | "cli" | "batch" | "other-method",
  ) {
    const json = input === undefined ? undefined : JSON.stringify(input);
    const asQuery = (type === "query") !== (via === "other-method");
    const batch = via === "batch";
    // A batch of one; an absent input stays absent (`{}`), as the single call sends none.
    const payload = batch ? JSON.stringify({ 0: input }) : json;
    const query = [
      batch ? "batch=1" : "",
      asQuery && payload !== undefined ? `input=${encodeURIComponent(payload)}` : "",
    ]
      .filter(Boolean)
      .join("&");
    const path = `/api/trpc/${name}${query ? `?${query}` : ""}`;
    const init: RequestInit = {
      method: asQuery ? "GET" : "POST",
      headers: { ...headers(), "content-type": "application/json" },
      body: asQuery ? undefined : payload,
    };
    const response = via === "cli" ? await panel.fetch(path, init) : await fetch(`${panel.url}${path}`, init);
    return { status: response.status, body: await response.text() };
  }

  async function fuzzProcedures(runs: number, offset: number) {
    for (const [index, [name, procedure]] of procedures.entries()) {
      const schema = procedure._def.inputs[0];
      const valid = schema
        ? validLooking(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema)
        : fc.constant(undefined);
      let inputs = fc.oneof(mutated(valid), fc.constant(undefined));
      if (invalidOnly.has(name) && schema)
        inputs = inputs.filter((value) => !schema.safeParse(overTheWire(value)).success);
      const via = fc.constantFrom(
        "browser" as const,
        "cli" as const,
        "batch" as const,
        "other-method" as const,
      );
      await check(
        `tRPC ${name}`,
        fc.asyncProperty(inputs, via, async (input, how) => {
          trace(`trpc ${name} ${how} ${JSON.stringify(input)?.slice(0, 100)}`);
          const answer = await call(name, procedure._def.type, input, how);
          count(`tRPC ${answer.status}`);
          expect(
            answer.status,
            `${name} ${how} ${JSON.stringify(input)?.slice(0, 300)}: ${answer.body.slice(0, 300)}`,
          ).not.toBe(500);
          expect(answer.body).not.toMatch(/\n\s+at \S|"httpStatus":500/);
        }),
        schema ? runs : Math.min(runs, 3),
        offset + index,
      );
    }
  }

  async function ticket(): Promise<string> {
    const response = await fetch(`${panel.url}/api/trpc/terminal.open`, {
      method: "POST",
      headers: { ...headers(), "content-type": "application/json" },
      body: JSON.stringify({ agent, profile: "shell", cols: 80, rows: 24 }),
    });
    const json = (await response.json()) as { result?: { data: { ticket: string | null } } };
    return json.result?.data.ticket ?? "no-ticket";
  }

  /** Every `/ws/*` route, with paths and queries both right and wrong. */
  const socketPaths: [string, fc.Arbitrary<() => Promise<string>>, number][] = [
    ["status", fc.constant(async () => "/ws/status"), 1],
    [
      "audit",
      fc
        .record(
          {
            category: fc.oneof(fc.constantFrom("", "egress", "access", "panel"), oddString),
            outcome: fc.oneof(fc.constantFrom("ok", "denied"), oddString),
          },
          { requiredKeys: [] },
        )
        .map((query) => async () => `/ws/audit?${new URLSearchParams(query)}`),
      1,
    ],
    [
      "jobs",
      fc
        .tuple(fc.oneof(fc.stringMatching(/^j-[a-z2-7]{10}$/), oddString), fc.oneof(oddNumber, oddString))
        .map(
          ([id, from]) =>
            async () =>
              `/ws/jobs/${encodePart(id)}?from=${encodePart(String(from))}`,
        ),
      1,
    ],
    [
      "logs",
      fc
        .tuple(
          fc.constantFrom(agent, logAgent, "nosuchagent", "UPPER", "a".repeat(41)),
          fc.oneof(oddNumber, oddString),
        )
        .map(
          ([name, tail]) =>
            async () =>
              `/ws/agents/${name}/logs?tail=${encodePart(String(tail))}`,
        ),
      0.5,
    ],
    [
      "terminal",
      fc
        .oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: oddString })
        .map((bad) => async () => `/ws/terminal?ticket=${encodePart(bad ?? (await ticket()))}`),
      0.5,
    ],
    ["unknown", oddString.map((rest) => async () => `/ws/${encodePart(rest)}`), 0.5],
  ];

  async function fuzzSockets(runs: number, offset: number) {
    for (const [index, [route, path, share]] of socketPaths.entries()) {
      // Header values a client can send at all (printable ASCII): wrong Origins, broken cookies.
      const headerText = oddString.map((text) => text.replace(/[^\x20-\x7e]/g, ""));
      const badHeaders = fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.record({ origin: fc.oneof(headerText, fc.constant("null")) }) },
        { weight: 1, arbitrary: fc.record({ cookie: headerText }) },
      );
      await check(
        `WebSocket ${route}`,
        fc.asyncProperty(
          path,
          fc.array(socketAction, { maxLength: 8 }),
          socketEnding,
          badHeaders,
          async (target, actions, ending, bad) => {
            trace(`ws ${route} ${ending} ${JSON.stringify(bad)} ${actions.map((a) => a.kind).join(",")}`);
            const outcome: SocketOutcome = await playSocket(
              wsUrl(await target()),
              { ...wsHeaders(), ...bad },
              actions,
              ending,
            );
            count(
              `WebSocket ${route} ${outcome.refused ? `refused ${outcome.refused}` : `closed ${outcome.closeCode}`}`,
            );
            expect(outcome.refused, JSON.stringify(outcome)).not.toBe(500);
            expect(outcome.closeCode, `${route}: the server neither answered nor closed`).not.toBe(-1);
          },
        ),
        Math.max(2, Math.round(runs * share)),
        offset + index,
      );
    }
  }

  async function fuzzRawHttp(runs: number, offset: number) {
    await check(
      "raw HTTP",
      fc.asyncProperty(
        requestMethod,
        requestTarget,
        fc.boolean(),
        fc.option(fc.string({ maxLength: 64 })),
        async (verb, target, authed, body) => {
          const lines = [
            `${verb} ${target} HTTP/1.1`,
            `Host: 127.0.0.1:${panel.port}`,
            "Connection: close",
            "x-claw-csrf: 1",
          ];
          if (authed) lines.push(`Cookie: ${cookie}`);
          if (body !== null)
            lines.push("Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`);
          const answer = await rawRequest(panel.port, `${lines.join("\r\n")}\r\n\r\n${body ?? ""}`);
          count(`HTTP ${answer.status ?? "closed"}`);
          trace(`http ${verb} ${JSON.stringify(target)} ${authed} ${answer.status}`);
          expect(answer.status, `${verb} ${target}: ${answer.head}`).not.toBe(500);
        },
      ),
      runs,
      offset,
    );
  }

  it("answers a malformed tRPC path or request target with a 400 that says why (item 11)", async () => {
    for (const path of ["/api/trpc/%", "/api/trpc/%E0%A4%A", "/api/trpc/auth.whoami%"]) {
      for (const via of ["tcp", "socket"] as const) {
        const response =
          via === "tcp"
            ? await fetch(`${panel.url}${path}`, { headers: headers() })
            : await panel.fetch(path, { headers: headers() });
        expect(response.status, `${via} ${path}`).toBe(400);
        expect(((await response.json()) as { error: string }).error).toMatch(/malformed percent-encoding/);
      }
    }
    // Targets fetch would never send: a host that is not one, an absolute URL with a broken host.
    for (const target of ["//[", "http://[/api/health"]) {
      const answer = await rawRequest(
        panel.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${panel.port}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status, `${target}: ${answer.head}`).toBe(400);
    }
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("closes every WebSocket route with 1009 on a frame over 64 KiB, and nothing goes uncaught (item 9)", async () => {
    const routes = [
      "/ws/status",
      "/ws/audit",
      "/ws/jobs/j-aaaaaaaaaa",
      `/ws/agents/${agent}/logs`,
      `/ws/terminal?ticket=${await ticket()}`,
    ];
    for (const path of routes) {
      const outcome = await playSocket(
        wsUrl(path),
        wsHeaders(),
        [{ kind: "huge", bytes: 70_000, binary: false }],
        "close",
      );
      // The jobs socket may close for its missing job first; every other one is open when the frame lands.
      if (!path.startsWith("/ws/jobs/")) expect(outcome.closeCode, path).toBe(1009);
      else expect([1009, 4404], path).toContain(outcome.closeCode);
    }
    // Frames under the WebSocket layer: bad UTF-8 (1007), no mask (1002), a reset mid-upgrade.
    const broken = await playSocket(
      wsUrl("/ws/status"),
      wsHeaders(),
      [{ kind: "raw", frame: clientFrame(0x1, Buffer.from([0xc3, 0x28])) }],
      "close",
    );
    expect(broken.closeCode).toBe(1007);
    const unmasked = await playSocket(
      wsUrl("/ws/status"),
      wsHeaders(),
      [{ kind: "raw", frame: clientFrame(0x1, Buffer.from("{}"), { masked: false }) }],
      "close",
    );
    expect(unmasked.closeCode).toBe(1002);
    // Upgrades whose client resets the connection while the panel checks the session, or refuses it.
    for (let attempt = 0; attempt < 60; attempt++) {
      const upgrade = [
        "GET /ws/status HTTP/1.1",
        `Host: 127.0.0.1:${panel.port}`,
        `Origin: ${panel.url}`,
        `Cookie: ${attempt % 2 ? cookie : "claw=none"}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      ];
      await resetAfter(panel.port, `${upgrade.join("\r\n")}\r\n\r\n`, attempt % 15);
    }
    expect((await fetch(`${panel.url}/api/health`)).status).toBe(200);
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("gives a slow reader all of the CLI's piped output (item 10)", async () => {
    const piped = (args: string[]) =>
      new Promise<{ bytes: string; stderr: string }>((resolve) => {
        // The reader waits before reading: the CLI has long written (and, before, exited) by then.
        const child = spawn(
          "sh",
          ["-c", '"$0" bin/claw.mjs "$@" | (sleep 1; cat)', process.execPath, ...args],
          {
            cwd: projectRoot,
            env: { ...process.env, ...env },
          },
        );
        const chunks: Buffer[] = [];
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on("close", () => resolve({ bytes: Buffer.concat(chunks).toString(), stderr }));
      });
    const execOut = await piped(["exec", agent, "--", "sh", "-c", "head -c 500000 /dev/zero | tr '\\0' a"]);
    expect(execOut.bytes.length, execOut.stderr).toBe(500_000);
    expect(execOut.bytes).toMatch(/^a+$/);

    // A reader that stops early (`| head -c 100`): the CLI ends quietly, no EPIPE stack.
    const early = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ["bin/claw.mjs", "exec", agent, "--", "sh", "-c", "head -c 500000 /dev/zero"],
        {
          cwd: projectRoot,
          env: { ...process.env, ...env },
        },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(early).toEqual({ code: 0, stderr: "" });

    await waitFor("the logs agent's lines", async () => {
      const { stdout } = await exec("podman", ["logs", `claw-agent-${logAgent}`], {
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout.includes(`log line ${String(logLines).padStart(6, "0")}`) ? true : undefined;
    });
    const logs = await piped(["agents", "logs", logAgent, "-n", "10000"]);
    expect(logs.bytes.length, logs.stderr).toBeGreaterThan(500_000);
    // Every line's number once. (Podman keeps a write cut by its pipe as two entries, and the
    // panel joins them with the second one's timestamp inside the line: not this test's concern.)
    const text = logs.bytes.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ?/g, "");
    const numbers = new Set([...text.matchAll(/^log line (\d{6}) x{80}$/gm)].map((match) => match[1]));
    expect(numbers.size).toBe(logLines);
  });

  it("answers HTTP oddities (bad targets, hosts, headers, methods, 10 MB bodies, 200-call batches) without a 500", async () => {
    const port = panel.port;
    for (const { head, body, waitMs } of oddRequests(port, cookie, panel.url)) {
      const answer = await rawRequest(port, `${head}\r\nConnection: close\r\n\r\n${body ?? ""}`, waitMs);
      expect(answer.status, `${head.slice(0, 120)}: ${answer.head}`).not.toBe(500);
    }

    const tenMegabytes = 10 * 1024 * 1024;
    const bodyHeaders = { cookie, "x-claw-csrf": "1", "content-type": "application/json" };
    for (const path of [
      ...plainRoutes,
      "/api/trpc/secrets.set",
      "/api/trpc/auth.whoami,auth.whoami?batch=1",
      "/",
    ]) {
      // (A logout with the session would end it for the rest of the suite.)
      const withSession = path === "/api/logout" ? { ...bodyHeaders, cookie: "claw=none" } : bodyHeaders;
      const status = await postLarge(port, path, withSession, tenMegabytes);
      expect(status, `10 MB to ${path}`).not.toBe(500);
    }

    // 200 calls in one batch: cheap reads all answered, and 200 refused mutations none of them a 500.
    const reads = [
      "auth.whoami",
      "templates.list",
      "approvals.pendingCount",
      "audit.facets",
      "jobs.settings",
    ];
    const names = Array.from({ length: 200 }, (_, i) => reads[i % reads.length]);
    const inputs = encodeURIComponent(JSON.stringify(Object.fromEntries(names.map((_, i) => [i, null]))));
    const batch = await fetch(`${panel.url}/api/trpc/${names.join(",")}?batch=1&input=${inputs}`, {
      headers: headers(),
    });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as unknown[]).length).toBe(200);
    // Only mutations whose schema refuses the input: none of them may act (an image build, a verify).
    const writes = procedures
      .filter(
        ([, { _def }]) =>
          _def.type === "mutation" && _def.inputs[0]?.safeParse({ nonsense: 0 }).success === false,
      )
      .map(([name]) => name);
    const many = Array.from({ length: 200 }, (_, i) => writes[i % writes.length]);
    const refused = await fetch(`${panel.url}/api/trpc/${many.join(",")}?batch=1`, {
      method: "POST",
      headers: { ...headers(), "content-type": "application/json" },
      body: JSON.stringify(Object.fromEntries(many.map((_, i) => [i, { nonsense: i }]))),
    });
    const answers = (await refused.json()) as { error?: { data?: { httpStatus?: number } } }[];
    expect(refused.status).not.toBe(500);
    expect(answers.filter((answer) => answer.error?.data?.httpStatus === 500)).toEqual([]);
    expect((await fetch(`${panel.url}/api/health`)).status).toBe(200);
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("warms up with a first small round, then takes the panel's resident memory as the baseline", async () => {
    await fuzzSockets(8, 100);
    await fuzzProcedures(5, 200);
    await fuzzRawHttp(100, 300);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    baselineRss = await rssOf(panel.process.pid as number);
    expect(baselineRss).toBeGreaterThan(0);
  });

  it("never answers a WebSocket route's malformed messages with a 500 or an uncaught error", async () => {
    await fuzzSockets(Number(process.env.FUZZ_SOCKET_RUNS ?? 60), 1000);
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("never answers any tRPC procedure's fuzzed input with a 500", async () => {
    await fuzzProcedures(Number(process.env.FUZZ_TRPC_RUNS ?? 40), 2000);
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("never answers raw HTTP oddities with a 500", async () => {
    await fuzzRawHttp(Number(process.env.FUZZ_HTTP_RUNS ?? 600), 3000);
    expect(unhandled(panel.output())).toEqual([]);
  });

  it("is healthy after the run, logged nothing unhandled, and its memory came back within 10%", async () => {
    expect((await fetch(`${panel.url}/api/health`)).status).toBe(200);
    expect((await runCli(["status", "--json"], env)).code).toBe(0);
    expect(unhandled(panel.output())).toEqual([]);
    const pid = panel.process.pid as number;
    let rss = await rssOf(pid);
    // V8 gives memory back lazily: allow it a while to settle before comparing.
    const deadline = Date.now() + 90_000;
    while (rss > baselineRss * 1.1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      rss = await rssOf(pid);
    }
    console.log(
      [...tally]
        .sort()
        .map(([what, times]) => `${what}: ${times}`)
        .join("\n"),
    );
    console.log(
      `panel RSS: baseline ${(baselineRss / 2 ** 20).toFixed(0)} MiB, after ${(rss / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(rss, `RSS ${rss} against a baseline of ${baselineRss}`).toBeLessThanOrEqual(baselineRss * 1.1);
  });
});
