// The real agent API on real Unix sockets, a real SQLite file and audit log; only the JobService is a
// stand-in, which queues jobs as rows the way job-queue.ts does and launches nothing.
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { AppError } from "../errors";
import { type AgentJobsDeps, createAgentJobStarter } from "../jobs/agent-jobs";
import type { StartJobInput } from "../jobs/job-queue";
import type { CleanupOptions, JobService } from "../jobs/job-service";
import { jobsPaths } from "../jobs/job-settings";
import { pageBytes, transcriptOf } from "../jobs/job-transcript";
import { type AgentJobsPolicy, agentApiSocketDir } from "../policy/agent-jobs";
import { compileContainerSpec } from "../policy/compile-container-spec";
import { builtinTemplate, testImage } from "../policy/policy-test-fixtures";
import { newShortId } from "../short-id";
import { startAgentApi } from "./agent-api";
import { createAgentApis } from "./agent-apis";

type Answer = { status: number; body: { error?: string; fix?: string } & Record<string, unknown> };

/** One request over the socket; `body` goes as it is when a string, as JSON otherwise. */
function call(socketPath: string, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    // The body of a refused request may still be on its way when the panel has answered and hung up.
    req.on("socket", (socket) => socket.on("error", () => {}));
    req.end(body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body));
  });
}

const policyOf = (overrides: Partial<AgentJobsPolicy> = {}): AgentJobsPolicy => ({
  template: "default",
  maxConcurrent: 2,
  maxPerHour: 20,
  workspace: "agent",
  network: { profile: "restricted", allow: ["github.com"] },
  socketDir: agentApiSocketDir,
  ...overrides,
});

const jobsPath = "/v1/claude-code/jobs";

describe("the agent API", () => {
  let log: TestAuditLog;
  let deps: AgentJobsDeps;
  let start: ReturnType<typeof createAgentJobStarter>;
  const started: { input: StartJobInput; actor: string }[] = [];
  const cancelled: string[] = [];
  const cleanups: CleanupOptions[] = [];
  const open: { close(): Promise<void> }[] = [];

  const socketOf = (agent: string) => join(log.dir, "agents", agent, agentApiSocketDir, "agent.sock");

  /** An agent's API with `policy`, closed after the test. */
  async function apiOf(agent: string, policy: Partial<AgentJobsPolicy> = {}) {
    const socketPath = socketOf(agent);
    open.push(
      await startAgentApi({
        agent,
        socketPath,
        policy: policyOf(policy),
        jobs: deps,
        start,
        audit: log.audit,
      }),
    );
    return (method: string, path: string, body?: unknown) => call(socketPath, method, path, body);
  }

  /** A job row as the queue leaves it, for `agent` (null: a person's), in a session of its own. */
  async function jobRow(agent: string | null, fields: { status?: string; createdAt?: Date } = {}) {
    const sessionId = newShortId("s");
    const id = newShortId("j");
    await log.db.jobSession.create({ data: { id: sessionId, template: "default", agent } });
    await log.db.job.create({
      data: {
        id,
        sessionId,
        prompt: "p",
        status: fields.status ?? "pending",
        agent,
        createdAt: fields.createdAt,
      },
    });
    return { jobId: id, sessionId };
  }

  const refusals = (agent: string) =>
    log.db.auditEvent.findMany({ where: { agent, action: "job_refused" }, orderBy: { id: "asc" } });

  beforeAll(async () => {
    log = await createTestAuditLog();
    const paths = jobsPaths(join(log.dir, "jobs"));
    const unused = (name: string) => () => {
      throw new Error(`the agent API does not use JobService.${name}`);
    };
    const jobs: JobService = {
      // Queues the job as startJob does (a new session unless given); slow enough that two starts
      // that were not taken one at a time would both see the same count.
      async start(input, actor) {
        started.push({ input, actor });
        await sleep(30);
        const agent = input.owner?.agent ?? null;
        let sessionId = input.sessionId;
        if (sessionId) {
          const session = await log.db.jobSession.findUnique({ where: { id: sessionId } });
          if (!session || session.agent !== agent) throw new AppError("NOT_FOUND", `No session ${sessionId}`);
        }
        const jobId = newShortId("j");
        await log.db.$transaction(async (tx) => {
          if (!sessionId) {
            sessionId = newShortId("s");
            await tx.jobSession.create({
              data: {
                id: sessionId,
                template: input.template ?? "default",
                agent,
                workspace: input.owner?.workspace ?? "session",
              },
            });
          }
          await tx.job.create({
            data: {
              id: jobId,
              sessionId,
              prompt: input.prompt,
              status: "pending",
              agent,
              network: input.owner ? JSON.stringify(input.owner.network) : null,
            },
          });
        });
        return { jobId, sessionId: sessionId as string };
      },
      async cancel(jobId) {
        cancelled.push(jobId);
        await log.db.job.update({
          where: { id: jobId },
          data: { status: "cancelled", finishedAt: new Date() },
        });
        return { status: "cancelled" };
      },
      async cleanup(options) {
        cleanups.push(options);
        return { closed: options.sessionId ? [options.sessionId] : [], busy: [] };
      },
      liveOf: () => undefined,
      recover: unused("recover"),
      subscribe: unused("subscribe"),
      close: unused("close"),
      isRunning: unused("isRunning"),
      runningSessions: unused("runningSessions"),
      paths,
    };
    deps = { db: log.db, jobs };
    start = createAgentJobStarter(deps);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((api) => api.close()));
  });

  afterAll(async () => {
    await log?.audit.close();
    await log?.db.$disconnect();
  });

  describe("starting a job", () => {
    it("starts one for the agent on the socket, with its policy's template, workspace and network", async () => {
      const api = await apiOf("ann", { template: "big", workspace: "agent" });
      const answer = await api("POST", jobsPath, { prompt: "Fix the failing test" });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        jobId: expect.stringMatching(/^j-[a-z2-7]{10}$/),
        sessionId: expect.stringMatching(/^s-/),
      });
      expect(started.at(-1)).toEqual({
        input: {
          prompt: "Fix the failing test",
          sessionId: undefined,
          template: "big",
          owner: {
            agent: "ann",
            workspace: "agent",
            network: { profile: "restricted", allow: ["github.com"] },
          },
        },
        actor: "agent:ann",
      });
      const job = await log.db.job.findUniqueOrThrow({ where: { id: answer.body.jobId as string } });
      expect(job).toMatchObject({ agent: "ann", status: "pending", sessionId: answer.body.sessionId });

      // The next job continues the session it names.
      const next = await api("POST", jobsPath, { prompt: "And the lint", session_id: answer.body.sessionId });
      expect(next.status).toBe(200);
      expect(next.body.sessionId).toBe(answer.body.sessionId);
      expect(started.at(-1)?.input.sessionId).toBe(answer.body.sessionId);
    });

    it("refuses a start over maxConcurrent with 429, a sentence and a fix, and audits the refusal", async () => {
      const api = await apiOf("bea", { maxConcurrent: 1 });
      const first = await api("POST", jobsPath, { prompt: "one" });
      expect(first.status).toBe(200);
      const count = started.length;
      const second = await api("POST", jobsPath, { prompt: "two" });
      expect(second).toEqual({
        status: 429,
        body: {
          error: "You already have 1 Claude Code job running or waiting; your policy allows 1 at a time",
          fix: "Wait for one to end (you get a notice), or cancel one with claude_code_cancel.",
        },
      });
      expect(started).toHaveLength(count);
      const events = await refusals("bea");
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ category: "job", actor: "agent:bea", outcome: "denied" });
      expect(JSON.parse(events[0]?.details ?? "{}")).toEqual({ reason: second.body.error });

      // Once it ended, the next one may start.
      expect((await api("POST", `${jobsPath}/${first.body.jobId}/cancel`)).status).toBe(200);
      expect((await api("POST", jobsPath, { prompt: "two" })).status).toBe(200);
    });

    it("refuses a start over maxPerHour, counting only the last hour", async () => {
      const api = await apiOf("cy", { maxPerHour: 2 });
      await jobRow("cy", { status: "completed", createdAt: new Date(Date.now() - 2 * 3600_000) });
      await jobRow("cy", { status: "completed", createdAt: new Date(Date.now() - 10 * 60_000) });
      const first = await api("POST", jobsPath, { prompt: "one" });
      expect(first.status).toBe(200);
      const second = await api("POST", jobsPath, { prompt: "two" });
      expect(second.status).toBe(429);
      expect(second.body.error).toBe(
        "You started 2 Claude Code jobs in the last hour; your policy allows 2 an hour",
      );
      expect(second.body.fix).toMatch(/later/);
      expect(await refusals("cy")).toHaveLength(1);
      // Another agent's jobs are not counted against it.
      expect(
        (await (await apiOf("cy-other", { maxPerHour: 1 }))("POST", jobsPath, { prompt: "x" })).status,
      ).toBe(200);
    });

    it("does not let two starts at once both take the last place", async () => {
      const api = await apiOf("dee", { maxConcurrent: 2 });
      expect((await api("POST", jobsPath, { prompt: "one" })).status).toBe(200);
      const answers = await Promise.all([
        api("POST", jobsPath, { prompt: "two" }),
        api("POST", jobsPath, { prompt: "three" }),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429]);
      expect(await log.db.job.count({ where: { agent: "dee", status: "pending" } })).toBe(2);
      expect(await refusals("dee")).toHaveLength(1);
    });

    it("does not audit a refusal that is not a quota", async () => {
      const api = await apiOf("eve");
      const answer = await api("POST", jobsPath, { prompt: "x", session_id: newShortId("s") });
      expect(answer.status).toBe(404);
      expect(await refusals("eve")).toHaveLength(0);
    });
  });

  describe("another agent's jobs and sessions", () => {
    it("answers 404 for them with the same words as for ones that do not exist", async () => {
      const api = await apiOf("fay");
      const theirs = await jobRow("gus", { status: "running" });
      const missing = newShortId("j");
      const same = (answer: Answer, id: string) => ({
        status: answer.status,
        error: answer.body.error?.replace(id, "ID"),
        fix: answer.body.fix,
      });
      for (const [method, suffix] of [
        ["GET", ""],
        ["GET", "/output"],
        ["POST", "/cancel"],
      ] as const) {
        const other = await api(method, `${jobsPath}/${theirs.jobId}${suffix}`);
        const none = await api(method, `${jobsPath}/${missing}${suffix}`);
        expect(other.status).toBe(404);
        expect(other.body.error).toBe(`No job ${theirs.jobId} of yours`);
        expect(same(other, theirs.jobId)).toEqual(same(none, missing));
      }
      expect(cancelled).not.toContain(theirs.jobId);
      expect((await log.db.job.findUniqueOrThrow({ where: { id: theirs.jobId } })).status).toBe("running");

      // A person's job is not the agent's either.
      const persons = await jobRow(null);
      expect((await api("GET", `${jobsPath}/${persons.jobId}`)).status).toBe(404);
    });

    it("lists only its own sessions and cleans up only its own", async () => {
      const api = await apiOf("hal");
      const own = await api("POST", jobsPath, { prompt: "mine" });
      const theirs = await jobRow("ida");
      const listed = await api("GET", "/v1/claude-code/sessions");
      expect(listed.status).toBe(200);
      expect(listed.body.sessions).toEqual([
        expect.objectContaining({
          sessionId: own.body.sessionId,
          messageCount: 1,
          activeJob: { jobId: own.body.jobId, status: "pending" },
        }),
      ]);
      const refused = await api("POST", "/v1/claude-code/sessions/cleanup", { session_id: theirs.sessionId });
      expect(refused.status).toBe(404);
      expect(refused.body.error).toBe(`No session ${theirs.sessionId} of yours`);
      expect(cleanups.some((options) => options.sessionId === theirs.sessionId)).toBe(false);

      const cleaned = await api("POST", "/v1/claude-code/sessions/cleanup", {
        session_id: own.body.sessionId,
      });
      expect(cleaned).toEqual({ status: 200, body: { closed: [own.body.sessionId], busy: [] } });
      expect(cleanups.at(-1)).toMatchObject({
        sessionId: own.body.sessionId,
        agent: "hal",
        actor: "agent:hal",
        removeWorkspace: false,
      });
      // Without a session: all of its own, never anyone else's.
      expect((await api("POST", "/v1/claude-code/sessions/cleanup")).status).toBe(200);
      expect(cleanups.at(-1)).toMatchObject({ sessionId: undefined, agent: "hal" });
    });
  });

  describe("a job's output and status", () => {
    const events = [
      { type: "system", subtype: "init", session_id: "x" },
      { type: "assistant", message: { content: [{ type: "text", text: "Café ☕ — looking 😀" }] } },
      {
        type: "assistant",
        message: { content: [{ type: "tool_use", name: "Bash", input: { command: "ls" } }] },
      },
      { type: "user", message: { content: [{ type: "tool_result", content: "a.txt\nb.txt" }] } },
      { type: "result", is_error: false, result: "Done. ✓" },
    ].map((event) => JSON.stringify(event));

    it("pages the transcript by bytes, never splitting a character", async () => {
      const api = await apiOf("jo");
      const { jobId } = await jobRow("jo", { status: "running" });
      const run = deps.jobs.paths.run(jobId);
      await mkdir(run.dir, { recursive: true });
      // A partial last line (a write under way) is not part of the transcript yet.
      await writeFile(run.events, `${events.join("\n")}\n{"type":"assist`);
      const transcript = transcriptOf(events);
      const size = Buffer.byteLength(transcript);

      const whole = await api("GET", `${jobsPath}/${jobId}/output`);
      expect(whole).toEqual({
        status: 200,
        body: {
          jobId,
          offset: 0,
          limit: 64 * 1024,
          size,
          output: transcript,
          nextOffset: size,
          hasMore: false,
        },
      });

      let offset = 0;
      let read = "";
      for (let pages = 0; pages < 100; pages++) {
        const page = await api("GET", `${jobsPath}/${jobId}/output?offset=${offset}&limit=7`);
        expect(page.status).toBe(200);
        expect(page.body).toEqual({ jobId, offset, limit: 7, ...pageBytes(transcript, offset, 7) });
        expect(page.body.output).not.toContain("\uFFFD");
        read += page.body.output as string;
        offset = page.body.nextOffset as number;
        if (!page.body.hasMore) break;
      }
      expect(read).toBe(transcript);

      expect((await api("GET", `${jobsPath}/${jobId}/output?offset=${size + 100}`)).body).toMatchObject({
        output: "",
        nextOffset: size,
        hasMore: false,
      });
      // A limit of 0 is taken as 1; one over the cap as the cap.
      expect((await api("GET", `${jobsPath}/${jobId}/output?limit=0`)).body).toMatchObject({
        limit: 1,
        output: "C",
      });
      expect((await api("GET", `${jobsPath}/${jobId}/output?limit=99999999`)).body).toMatchObject({
        limit: 1024 * 1024,
      });
      for (const query of ["offset=-1", "offset=abc", "limit=1.5", "limit=-3"]) {
        const bad = await api("GET", `${jobsPath}/${jobId}/output?${query}`);
        expect(bad.status, query).toBe(400);
        expect(bad.body.error).toMatch(/is not a whole number of bytes/);
      }

      const status = await api("GET", `${jobsPath}/${jobId}`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        jobId,
        status: "running",
        outputSize: size,
        tailOutput: transcript,
        activityState: "ended",
      });
    });

    it("gives the last 500 characters as the status's tail, never half an emoji", async () => {
      const api = await apiOf("kai");
      const { jobId } = await jobRow("kai", { status: "running" });
      const run = deps.jobs.paths.run(jobId);
      await mkdir(run.dir, { recursive: true });
      const text = `start ${"😀".repeat(300)}`;
      await writeFile(
        run.events,
        `${JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text }] } })}\n`,
      );
      const status = await api("GET", `${jobsPath}/${jobId}`);
      // 500 UTF-16 units end the transcript: the newline and 249.5 emoji, of which the half is left out.
      expect(status.body.tailOutput).toBe(`${"😀".repeat(249)}\n`);
      expect(status.body.outputSize).toBe(Buffer.byteLength(`${text}\n`));
    });

    it("gives an empty transcript for a job that wrote nothing yet", async () => {
      const api = await apiOf("kit");
      const { jobId } = await jobRow("kit");
      expect((await api("GET", `${jobsPath}/${jobId}/output`)).body).toMatchObject({
        size: 0,
        output: "",
        nextOffset: 0,
        hasMore: false,
      });
      expect((await api("GET", `${jobsPath}/${jobId}`)).body).toMatchObject({
        status: "pending",
        activityState: "queued",
        elapsedSeconds: 0,
        outputSize: 0,
      });
    });
  });

  describe("requests it does not take", () => {
    it("answers 400 to a malformed URL, a bad job id, bad JSON, a bad prompt or session id, and a body over 512 KiB", async () => {
      const api = await apiOf("lee");
      const cases: [string, string, unknown, RegExp][] = [
        ["GET", `${jobsPath}/nope`, undefined, /^job_id is not a job id$/],
        ["GET", "//[", undefined, /^The request's URL is malformed/],
        ["GET", `${jobsPath}/j-AAAAAAAAAA/output`, undefined, /^job_id is not a job id$/],
        ["POST", `${jobsPath}/..%2F..%2Fetc/cancel`, undefined, /^job_id is not a job id$/],
        ["POST", jobsPath, "{not json", /^The request body is not JSON$/],
        ["POST", jobsPath, "[1,2]", /^The request body is not a JSON object$/],
        ["POST", jobsPath, "null", /^The request body is not a JSON object$/],
        ["POST", jobsPath, {}, /^The prompt is empty$/],
        ["POST", jobsPath, { prompt: "   " }, /^The prompt is empty$/],
        ["POST", jobsPath, { prompt: 42 }, /^The prompt is empty$/],
        ["POST", jobsPath, { prompt: "x".repeat(100_001) }, /^The prompt is longer than 100,000 characters$/],
        ["POST", jobsPath, { prompt: "x", session_id: "s-../../x" }, /^session_id is not a session id$/],
        ["POST", jobsPath, { prompt: "x", session_id: 7 }, /^session_id is not a session id$/],
        [
          "POST",
          "/v1/claude-code/sessions/cleanup",
          { session_id: "j-aaaaaaaaaa" },
          /^session_id is not a session id$/,
        ],
        ["POST", jobsPath, { prompt: "x".repeat(513 * 1024) }, /^The request body is over 512 KiB$/],
      ];
      const count = started.length;
      for (const [method, path, body, error] of cases) {
        const answer = await api(method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(400);
        expect(answer.body.error, `${method} ${path}`).toMatch(error);
      }
      expect(started).toHaveLength(count);
    });

    it("answers 404 to anything but Claude Code jobs, saying what it offers", async () => {
      const api = await apiOf("max");
      const { jobId } = await jobRow("max");
      for (const [method, path] of [
        ["GET", "/v1/agents"],
        ["POST", "/api/trpc/agents.create"],
        ["GET", "/api/trpc/secrets.list"],
        ["GET", "/"],
        ["GET", jobsPath],
        ["DELETE", `${jobsPath}/${jobId}`],
        ["GET", `${jobsPath}/${jobId}/cancel`],
        ["POST", `${jobsPath}/${jobId}/output`],
        ["GET", `${jobsPath}/${jobId}/output/more`],
        ["POST", "/v1/claude-code/sessions"],
        ["GET", "/v1/claude-code/sessions/cleanup"],
        ["GET", "/v1/claude-code/settings"],
      ] as const) {
        const answer = await api(method, path);
        expect(answer, `${method} ${path}`).toEqual({
          status: 404,
          body: {
            error: `Your agent API has no ${method} ${path}`,
            fix: "It offers only Claude Code jobs: the claude_code_* tools.",
          },
        });
      }
      expect((await log.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("pending");
    });
  });

  describe("createAgentApis", () => {
    const specOf = (template: string, jobs?: Partial<AgentJobsPolicy>) => {
      const spec = compileContainerSpec({
        template: builtinTemplate(template),
        agent: "a",
        image: testImage,
        host: { rootless: false, panelPort: 7878 },
      });
      return jobs && spec.jobs ? { ...spec, jobs: { ...spec.jobs, ...jobs } } : spec;
    };
    /** A connection to the server listening at `path`: whether that server has closed it. */
    async function connection(path: string) {
      const socket = connect(path);
      await once(socket, "connect");
      let closed = false;
      socket.on("close", () => {
        closed = true;
      });
      return {
        closed: async () => {
          await sleep(50);
          return closed;
        },
        end: () => socket.destroy(),
      };
    }

    it("listens only for a policy with jobs, keeps the socket for the same policy and replaces it for another", async () => {
      const apis = createAgentApis({ jobs: () => deps, audit: log.audit });
      const socketPath = socketOf("ned");
      try {
        await apis.ensure("ned", socketPath, specOf("reviewer"));
        expect(existsSync(socketPath)).toBe(false);

        await apis.ensure("ned", socketPath, specOf("coder", { maxConcurrent: 2 }));
        expect(existsSync(socketPath)).toBe(true);
        const first = await connection(socketPath);
        const one = await call(socketPath, "POST", jobsPath, { prompt: "one" });
        expect(one.status).toBe(200);
        expect(started.at(-1)?.input.owner).toEqual({
          agent: "ned",
          workspace: "agent",
          network: { profile: "none", allow: [] },
        });

        await apis.ensure("ned", socketPath, specOf("coder", { maxConcurrent: 2 }));
        expect(await first.closed()).toBe(false);

        // A changed policy: a new socket, and the new quota holds.
        await apis.ensure("ned", socketPath, specOf("coder", { maxConcurrent: 1 }));
        expect(await first.closed()).toBe(true);
        first.end();
        expect((await call(socketPath, "POST", jobsPath, { prompt: "two" })).status).toBe(429);

        // A policy without jobs closes it.
        await apis.ensure("ned", socketPath, specOf("security"));
        expect(existsSync(socketPath)).toBe(false);
        await expect(call(socketPath, "GET", "/v1/claude-code/sessions")).rejects.toThrow(
          /ENOENT|ECONNREFUSED/,
        );
      } finally {
        await apis.closeAll();
      }
    });

    it("starts one server when the same agent is ensured twice at once", async () => {
      let servers = 0;
      const apis = createAgentApis({
        jobs: () => {
          servers += 1;
          return deps;
        },
        audit: log.audit,
      });
      const socketPath = socketOf("quin");
      try {
        await Promise.all([
          apis.ensure("quin", socketPath, specOf("coder")),
          apis.ensure("quin", socketPath, specOf("coder")),
        ]);
        expect(servers).toBe(1);
        await Promise.all([
          apis.ensure("quin", socketPath, specOf("coder", { maxPerHour: 1 })),
          apis.ensure("quin", socketPath, specOf("coder", { maxPerHour: 1 })),
        ]);
        expect(servers).toBe(2);
        expect((await call(socketPath, "GET", "/v1/claude-code/sessions")).status).toBe(200);
        // Closing while a start is under way closes what it started.
        const starting = apis.ensure("quin", socketPath, specOf("devops"));
        await apis.close("quin");
        await starting;
        expect(existsSync(socketPath)).toBe(false);
      } finally {
        await apis.closeAll();
      }
    });

    it("removes the socket file on close, and closes every agent's on closeAll", async () => {
      const apis = createAgentApis({ jobs: () => deps, audit: log.audit });
      await apis.ensure("olga", socketOf("olga"), specOf("coder"));
      await apis.ensure("pim", socketOf("pim"), specOf("devops"));
      expect(existsSync(socketOf("olga"))).toBe(true);
      await apis.close("olga");
      expect(existsSync(socketOf("olga"))).toBe(false);
      await apis.close("olga");
      expect((await call(socketOf("pim"), "GET", "/v1/claude-code/sessions")).status).toBe(200);
      await apis.closeAll();
      expect(existsSync(socketOf("pim"))).toBe(false);
    });
  });
});
