import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { appendFile, chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type Dockerode from "dockerode";
import {
  createContainer,
  homeLabel,
  inspectContainer,
  listLabelledContainers,
  podmanMessage,
  removeContainer,
  sampleUsage,
  startContainer,
  stopContainer,
} from "../agents/agent-containers";
import { logDemuxer, splitLines } from "../agents/agent-logs";
import { checkConformance, readProcessFacts } from "../agents/conformance";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import type { EgressProxies } from "../egress/egress-proxies";
import { AppError } from "../errors";
import {
  ContainerFileRefused,
  readContainerFile,
  removeContainerFile,
  replaceContainerFile,
  type UidRange,
  uidRangesOf,
} from "../fs/container-files";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { dialLibpod } from "../podman/dial-libpod";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { newShortId } from "../short-id";
import {
  claudeCodeImage,
  claudeCommand,
  jobContainerSpec,
  jobCreateBody,
  jobLabel,
  jobModelLabel,
  jobPromptDir,
} from "./job-container";
import { readEventLines, readTail } from "./job-files";
import { sendJobWebhook } from "./job-notify";
import { cleanupJobSessions } from "./job-sessions";
import {
  apiEgressRule,
  jobsPaths,
  oauthCredentialsSchema,
  readJobSecret,
  readJobSettings,
  writeJobSecret,
} from "./job-settings";
import { getJobTemplateOrThrow, type JobTemplate } from "./job-template";
import { createModelProxies } from "./model-proxy";
import { factsOfLine, type JobResult, jobOutcome, type LimitError } from "./stream-json";

export type JobsDeps = {
  db: Db;
  audit: AuditLog;
  paths: ClawPaths;
  homeId: string;
  docker: () => Promise<Dockerode>;
  rootless: () => Promise<boolean>;
  egress: Pick<EgressProxies, "ensure" | "close" | "overrides">;
};

export type MetricSample = { t: number; cpuPercent: number; memoryBytes: number };

/** What the page and the WebSocket hear about a job: new output lines (by index) and status changes. */
export type JobUpdate =
  | { type: "events"; from: number; lines: string[] }
  | { type: "status"; status: string };

/** A job whose container runs now: counters in memory, written to its row every second. */
type RunningJob = {
  id: string;
  sessionId: string;
  containerId: string;
  template: JobTemplate;
  startedAt: number;
  lastOutputAt: number | null;
  outputBytes: number;
  eventCount: number;
  sawInit: boolean;
  openTools: Set<string>;
  result: JobResult | null;
  claudeSessionId: string | null;
  stoppedFor: LimitError | "cancelled" | null;
  limitMessage?: string;
  cancelledBy: string | null;
  metrics: MetricSample[];
  /** The events file, written synchronously: a reader that subscribed first never misses a line; -1 once closed. */
  events: number;
  dirty: boolean;
  usedCredentials: string | undefined;
  /** Ends the log stream and the wait when the panel shuts down (the container keeps running). */
  abort: AbortController;
};

export const maxPromptChars = 100_000;
/** Claude Code's `.credentials.json` in the session's /claude, which the job can write. */
const credentialsFile = ".credentials.json";
const maxCredentialsBytes = 64 * 1024;
/** Of a job's stderr kept on disk; the rest is dropped after a marker line. */
export const maxStderrBytes = 1024 * 1024;
export const stderrCutMarker = `\n[claw: stderr cut at ${maxStderrBytes} bytes; the rest was dropped]\n`;
const metricsKept = 720;
const cleanupEveryMs = 10 * 60_000;
/** Activity: output within this long is "active"; an open tool call or output within `idleAfterMs` is "processing". */
const activeWithinMs = 10_000;
const idleAfterMs = 60_000;

export type JobService = ReturnType<typeof createJobService>;

export function createJobService(deps: JobsDeps) {
  const paths = jobsPaths(deps.paths.jobs);
  const running = new Map<string, RunningJob>();
  /** Sessions whose next job is being started: one at a time per session. */
  const starting = new Set<string>();
  const listeners = new Map<string, Set<(update: JobUpdate) => void>>();
  // API-key jobs call the model through these: the key stays in the panel.
  const models = createModelProxies({
    audit: deps.audit,
    overrides: deps.egress.overrides,
    upstream: async () => ({
      baseUrl: (await readJobSettings(paths)).baseUrl,
      apiKey: await readJobSecret(paths, "apiKey"),
    }),
  });
  let closed = false;
  const tick = setInterval(() => void onTick(), 1000);
  tick.unref();
  const upkeep = setInterval(
    () =>
      void cleanup({ idleHours: undefined, removeWorkspace: false, actor: "system" }).catch((error: Error) =>
        console.error(`claw: idle job sessions: ${error.message}`),
      ),
    cleanupEveryMs,
  );
  upkeep.unref();

  /** Closes idle sessions (the settings' idle hours unless given), or the one named. */
  async function cleanup(options: {
    sessionId?: string;
    idleHours?: number;
    removeWorkspace: boolean;
    actor: string;
  }) {
    const idleHours =
      options.sessionId !== undefined
        ? options.idleHours
        : (options.idleHours ?? (await readJobSettings(paths)).sessionIdleHours);
    return cleanupJobSessions({ db: deps.db, audit: deps.audit, paths }, { ...options, idleHours });
  }
  let tickCount = 0;

  // A listener (a WebSocket) that throws is logged: this runs inside the container's stream handler.
  const emit = (jobId: string, update: JobUpdate) => {
    for (const listener of listeners.get(jobId) ?? []) {
      try {
        listener(update);
      } catch (error) {
        console.error(`claw: job ${jobId}: a listener failed: ${(error as Error).message}`);
      }
    }
  };

  async function audit(action: string, actor: string, outcome: "ok" | "error" | "denied", details: object) {
    await deps.audit.record({
      category: "job",
      action,
      actor,
      agent: null,
      outcome,
      details: details as never,
    });
  }

  /** Queues a job in a session (a new one unless given) and starts it when the session is free. */
  async function start(
    input: { prompt: string; sessionId?: string; template?: string },
    actor: string,
    options: { fromChat?: boolean } = {},
  ) {
    if (input.prompt.trim() === "") throw new AppError("BAD_REQUEST", "The prompt is empty");
    if (input.prompt.length > maxPromptChars)
      throw new AppError(
        "BAD_REQUEST",
        `The prompt is longer than ${maxPromptChars.toLocaleString()} characters`,
      );
    let sessionId = input.sessionId;
    let templateName = input.template ?? "default";
    if (sessionId) {
      const session = await deps.db.jobSession.findUnique({ where: { id: sessionId } });
      if (!session)
        throw new AppError("NOT_FOUND", `No session ${sessionId}`, { fix: "claw jobs sessions lists them" });
      if (session.closedAt)
        throw new AppError("PRECONDITION_FAILED", `Session ${sessionId} was cleaned up`, {
          fix: "Start a job without a session for a new one.",
        });
      if (input.template && input.template !== session.template)
        throw new AppError("BAD_REQUEST", `Session ${sessionId} uses the template "${session.template}"`);
      templateName = session.template;
    }
    await getJobTemplateOrThrow(deps.paths.templates, templateName);
    await checkReady();
    // With an OAuth login the container holds the login itself (Claude Code refreshes its tokens),
    // and a chat job's answer goes back to the chat: only API-key jobs, whose key stays in the panel.
    if (options.fromChat && !(await readJobSecret(paths, "apiKey")))
      throw new AppError(
        "PRECONDITION_FAILED",
        "Jobs from the chat need an API key in Jobs → Settings: with an OAuth login the job's container holds the login, and what the job prints reaches the chat.",
        { fix: "Set an API key in Jobs → Settings (or `claw jobs config --api-key-stdin`)." },
      );
    const jobId = newShortId("j");
    await deps.db.$transaction(async (tx) => {
      if (sessionId && !(await tx.jobSession.findFirst({ where: { id: sessionId, closedAt: null } })))
        throw new AppError("PRECONDITION_FAILED", `Session ${sessionId} was cleaned up`);
      if (!sessionId) {
        sessionId = newShortId("s");
        await tx.jobSession.create({ data: { id: sessionId, template: templateName } });
      }
      await tx.job.create({ data: { id: jobId, sessionId, prompt: input.prompt, status: "pending" } });
    });
    const session = sessionId as string;
    await audit("job_queued", actor, "ok", {
      job: jobId,
      session,
      template: templateName,
      promptChars: input.prompt.length,
    });
    void pump(session);
    return { jobId, sessionId: session };
  }

  /** Refuses a job that cannot run, before it is queued: no image, or no way to sign in. */
  async function checkReady() {
    const docker = await deps.docker();
    const image = await docker
      .getImage(claudeCodeImage)
      .inspect()
      .catch(() => undefined);
    if (!image)
      throw new AppError("PRECONDITION_FAILED", `The Claude Code image ${claudeCodeImage} is not built`, {
        fix: "claw images build claude-code (or the Images page)",
      });
    if (!(await readJobSecret(paths, "apiKey")) && !(await readJobSecret(paths, "credentials")))
      throw new AppError("PRECONDITION_FAILED", "Claude Code has no credentials", {
        fix: "Set an API key (`claw jobs config --api-key-stdin`) or an OAuth credentials file (`claw jobs config --credentials-file PATH`).",
      });
  }

  /** Starts the session's oldest pending job if none of its jobs runs. */
  async function pump(sessionId: string) {
    if (closed || starting.has(sessionId) || [...running.values()].some((job) => job.sessionId === sessionId))
      return;
    starting.add(sessionId);
    let next: { id: string } | null = null;
    try {
      next = await deps.db.job.findFirst({
        where: { sessionId, status: "pending" },
        orderBy: { createdAt: "asc" },
      });
      if (next) await run(next.id);
    } catch (error) {
      if (next) await failBeforeStart(next.id, error);
    } finally {
      starting.delete(sessionId);
    }
    if (next) void pump(sessionId);
  }

  async function failBeforeStart(jobId: string, error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.db.job.update({
      where: { id: jobId },
      data: {
        status: "failed",
        errorType: "crash",
        errorMessage: message.slice(0, 2000),
        finishedAt: new Date(),
      },
    });
    await deps.egress.close(`job:${jobId}`).catch(() => {});
    await models.close(jobId).catch(() => {});
    await audit("job_failed", "system", "error", {
      job: jobId,
      errorType: "crash",
      error: message.slice(0, 2000),
    });
    emit(jobId, { type: "status", status: "failed" });
  }

  /** Creates and starts the job's container, then follows it. */
  async function run(jobId: string) {
    const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId }, include: { session: true } });
    const template = await getJobTemplateOrThrow(deps.paths.templates, job.session.template);
    const settings = await readJobSettings(paths);
    const apiKey = await readJobSecret(paths, "apiKey");
    const credentials = await readJobSecret(paths, "credentials");
    const docker = await deps.docker();
    const image = await docker.getImage(claudeCodeImage).inspect();
    const rootless = await deps.rootless();
    const sessionPaths = paths.session(job.sessionId);
    const runPaths = paths.run(jobId);
    const promptDir = join(sessionPaths.dir, jobPromptDir);
    for (const dir of [
      sessionPaths.workspace,
      sessionPaths.claude,
      sessionPaths.egress,
      sessionPaths.model,
      promptDir,
      runPaths.dir,
    ])
      await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(sessionPaths.egress, 0o755);
    await chmod(sessionPaths.model, 0o755);
    // The prompt reaches Claude Code as a file, not an argument (which any local user could read in
    // `ps`). Readable by the container's user (a mapped uid when rootful): 0644 in a 0755 directory,
    // inside the session's 0700 directory, which other host users cannot enter.
    await chmod(promptDir, 0o755);
    await writeFileAtomic(join(promptDir, "prompt"), job.prompt, 0o644);
    // Only this file of the person's Claude login, and a copy: written back after the job. /claude is
    // the job's to write: a symlink, FIFO or directory left there is replaced, never written through.
    if (credentials && !apiKey)
      await replaceContainerFile(sessionPaths.claude, credentialsFile, credentials, {
        stagingDir: join(sessionPaths.dir, "staging"),
        mode: 0o600,
      });
    else await removeContainerFile(sessionPaths.claude, credentialsFile);

    const spec = jobContainerSpec({
      jobId,
      sessionId: job.sessionId,
      template,
      image: { ref: claudeCodeImage, digest: image.Id },
      rootless,
      baseUrl: settings.baseUrl,
      apiRule: apiEgressRule(settings.baseUrl),
      modelProxy: Boolean(apiKey),
    });
    const resume = job.session.claudeSessionId;
    const body = jobCreateBody(spec, {
      sessionDir: sessionPaths.dir,
      command: claudeCommand({ resume, model: template.model }),
      secretEnv: {},
      runtimeLabels: { [homeLabel]: deps.homeId },
    });
    await deps.egress.ensure(`job:${jobId}`, sessionPaths.dir, spec, { job: jobId });
    if (apiKey) await models.ensure(jobId, sessionPaths.dir);
    let containerId: string | undefined;
    try {
      containerId = await createContainer(docker, body);
      await startContainer(docker, containerId);
    } catch (error) {
      if (containerId) await removeContainer(docker, containerId, { force: true }).catch(() => {});
      throw new AppError("INTERNAL", `Podman could not start the job's container: ${podmanMessage(error)}`);
    }
    const conformance = await checkJobConformance(docker, containerId, spec, sessionPaths.dir);
    if (conformance.findings.length > 0) {
      await removeContainer(docker, containerId, { force: true }).catch(() => {});
      throw new AppError(
        "INTERNAL",
        `the job's container does not match its spec: ${conformance.findings.map((f) => `${f.setting} is ${f.actual}, expected ${f.expected}`).join("; ")}`,
      );
    }
    const startedAt = new Date();
    await deps.db.job.update({
      where: { id: jobId },
      data: { status: "running", startedAt, containerId, resumed: resume },
    });
    await audit("job_started", "system", "ok", {
      job: jobId,
      session: job.sessionId,
      containerId,
      resumed: resume,
      network: spec.network.profile,
      allow: spec.network.allow,
      // `proxy`: the key stays in the panel; `direct`: an OAuth login in the container.
      model: apiKey ? "proxy" : "direct",
      conformance: conformance.verdict,
      image: image.Id,
    });
    emit(jobId, { type: "status", status: "running" });
    follow(
      newRunningJob({
        id: jobId,
        sessionId: job.sessionId,
        containerId,
        template,
        startedAt: startedAt.getTime(),
        eventsPath: runPaths.events,
        usedCredentials: credentials && !apiKey ? credentials : undefined,
      }),
      0,
    );
  }

  /**
   * Reads the container's output from its start (skipping the `skip` lines already stored, after
   * a panel restart), keeps every stdout line as an event and stderr apart, and waits for the
   * container's own exit code.
   */
  function follow(job: RunningJob, skip: number) {
    running.set(job.id, job);
    void (async () => {
      const docker = await deps.docker();
      const container = docker.getContainer(job.containerId);
      const stderr = cappedStderr(paths.run(job.id).stderr, { append: skip > 0 });
      const demux = logDemuxer();
      const decoder = new StringDecoder("utf8");
      let carry = "";
      let seen = 0;
      const take = (lines: string[]) => {
        const fresh = lines.slice(Math.max(0, skip - seen));
        seen += lines.length;
        if (fresh.length) onLines(job, fresh);
      };
      // Runs inside the log stream's handler: whatever the container prints, nothing may throw out of it.
      const onData = (chunk: Buffer) => {
        try {
          for (const piece of demux(chunk)) {
            if (piece.stream === 2) stderr.write(piece.data);
            // Past the output limit the rest is dropped unread; the container is being stopped.
            else if (job.stoppedFor !== "output_limit") {
              const split = splitLines(carry, decoder.write(piece.data));
              carry = split.carry;
              take(split.lines);
            }
          }
        } catch (error) {
          console.error(`claw: job ${job.id}: reading its output: ${(error as Error).message}`);
        }
      };
      const ended = new Promise<void>((resolve) => {
        let done = false;
        const end = () => {
          if (done) return;
          done = true;
          try {
            const last = carry + decoder.end();
            carry = "";
            if (last && job.stoppedFor !== "output_limit") take(splitLines("", `${last}\n`).lines);
          } catch (error) {
            console.error(`claw: job ${job.id}: reading its output: ${(error as Error).message}`);
          }
          resolve();
        };
        void container
          .logs({ follow: true, stdout: true, stderr: true, abortSignal: job.abort.signal })
          .then((stream) => {
            const readable = stream as unknown as NodeJS.ReadableStream;
            readable.on("data", onData);
            readable.on("end", end);
            readable.on("error", end);
          })
          .catch(end);
      });
      const exitCode = await waitForExit(docker, job.containerId, job.abort.signal);
      if (job.abort.signal.aborted) return stderr.close();
      // The log stream ends with the container; a short grace for the last lines in flight.
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000))]);
      stderr.close();
      await finish(job, exitCode);
    })().catch((error: Error) => {
      console.error(`claw: job ${job.id}: ${error.message}`);
      void finish(job, null);
    });
  }

  function onLines(job: RunningJob, lines: string[]) {
    const limit = job.template.limits.maxOutputBytes;
    const from = job.eventCount;
    const kept: string[] = [];
    for (const line of lines) {
      if (job.stoppedFor === "output_limit" || job.events < 0) break;
      const size = Buffer.byteLength(line) + 1;
      if (job.outputBytes + size > limit) {
        stopFor(job, "output_limit", `the output passed the limit of ${limit.toLocaleString()} bytes`);
        break;
      }
      job.outputBytes += size;
      job.eventCount++;
      job.lastOutputAt = Date.now();
      job.dirty = true;
      kept.push(line);
      writeSync(job.events, `${line}\n`);
      applyFacts(job, line);
    }
    if (kept.length) emit(job.id, { type: "events", from, lines: kept });
  }

  function stopFor(job: RunningJob, reason: LimitError | "cancelled", message?: string) {
    if (job.stoppedFor) return;
    job.stoppedFor = reason;
    job.limitMessage = message;
    void deps
      .docker()
      .then((docker) => stopContainer(docker, job.containerId, 5))
      .catch((error: Error) => console.error(`claw: could not stop job ${job.id}: ${error.message}`));
  }

  /** Limits, counters and CPU/memory samples, every second. */
  async function onTick() {
    tickCount++;
    const now = Date.now();
    for (const job of running.values()) {
      const { limits } = job.template;
      if (!job.sawInit && now - job.startedAt > limits.startupTimeoutSeconds * 1000)
        stopFor(
          job,
          "startup_timeout",
          `Claude Code printed nothing within ${limits.startupTimeoutSeconds} s of starting`,
        );
      else if (job.sawInit && now - (job.lastOutputAt ?? job.startedAt) > limits.idleTimeoutSeconds * 1000)
        stopFor(job, "idle_timeout", `no output for ${limits.idleTimeoutSeconds} s`);
      if (now - job.startedAt > limits.maxDurationSeconds * 1000)
        stopFor(job, "max_duration", `the job ran longer than ${limits.maxDurationSeconds} s`);
      if (job.dirty) {
        job.dirty = false;
        await saveCounters(job).catch(() => {});
      }
    }
    if (tickCount % 2 === 0 && running.size > 0) await sampleMetrics().catch(() => {});
  }

  async function saveCounters(job: RunningJob) {
    await deps.db.job.update({
      where: { id: job.id },
      data: {
        outputBytes: job.outputBytes,
        eventCount: job.eventCount,
        lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt) : null,
      },
    });
  }

  async function sampleMetrics() {
    const docker = await deps.docker();
    const jobs = [...running.values()];
    const usage = await sampleUsage(
      docker,
      jobs.map((job) => job.containerId),
    );
    const t = Date.now();
    for (const job of jobs) {
      const sample = usage.get(job.containerId);
      if (!sample) continue;
      const point = { t, cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes };
      job.metrics.push(point);
      if (job.metrics.length > metricsKept) job.metrics.shift();
      await appendFile(paths.run(job.id).metrics, `${JSON.stringify(point)}\n`, { mode: 0o600 });
    }
  }

  async function finish(job: RunningJob, exitCode: number | null) {
    if (closed || !running.has(job.id)) return;
    const docker = await deps.docker();
    const inspect = await inspectContainer(docker, job.containerId).catch(() => undefined);
    const code = exitCode ?? inspect?.State.ExitCode ?? null;
    closeSync(job.events);
    job.events = -1;
    const stderrTail = await readTail(paths.run(job.id).stderr, 4000);
    const outcome = jobOutcome({
      stoppedFor: job.stoppedFor,
      limitMessage: job.limitMessage,
      cancelledBy: job.cancelledBy,
      exitCode: code,
      oomKilled: inspect?.State.OOMKilled === true,
      result: job.result,
      stderrTail,
    });
    const finishedAt = new Date();
    await deps.db.$transaction([
      deps.db.job.update({
        where: { id: job.id },
        data: {
          status: outcome.status,
          errorType: outcome.errorType,
          errorMessage: outcome.message,
          exitCode: code,
          finishedAt,
          outputBytes: job.outputBytes,
          eventCount: job.eventCount,
          lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt) : null,
          result: job.result ? JSON.stringify(job.result) : null,
          cancelledBy: job.cancelledBy,
        },
      }),
      deps.db.jobSession.update({
        where: { id: job.sessionId },
        data: {
          lastActivityAt: finishedAt,
          ...(job.claudeSessionId ? { claudeSessionId: job.claudeSessionId } : {}),
        },
      }),
    ]);
    running.delete(job.id);
    await removeContainer(docker, job.containerId, { force: true }).catch(() => {});
    await deps.egress.close(`job:${job.id}`).catch(() => {});
    await models.close(job.id).catch(() => {});
    // Files the job made are owned by its mapped uid when rootful; rootless keep-id maps it to the panel's.
    const owners = (await deps.rootless()) ? [] : uidRangesOf(inspect?.HostConfig.IDMappings?.UidMap);
    await writeBackCredentials(job, owners).catch((error: Error) =>
      console.error(`claw: job ${job.id}: credentials: ${error.message}`),
    );
    await rm(join(paths.session(job.sessionId).dir, jobPromptDir, "prompt"), { force: true });
    const durationMs = finishedAt.getTime() - job.startedAt;
    await audit(
      `job_${outcome.status}`,
      job.cancelledBy ?? "system",
      outcome.status === "failed" ? "error" : "ok",
      {
        job: job.id,
        session: job.sessionId,
        exitCode: code,
        errorType: outcome.errorType,
        error: outcome.message,
        outputBytes: job.outputBytes,
        events: job.eventCount,
        durationMs,
        costUsd: job.result?.costUsd ?? null,
        turns: job.result?.numTurns ?? null,
      },
    );
    emit(job.id, { type: "status", status: outcome.status });
    void notify(job, outcome.status, durationMs);
    void pump(job.sessionId);
  }

  /**
   * OAuth tokens refresh during a job: the copy it used goes back if it changed, is a small regular
   * file (never a link, FIFO or device: the job could have put one there) and has the shape of Claude
   * Code's credentials. A refusal is audited; the stored login stays as it was.
   */
  async function writeBackCredentials(job: RunningJob, owners: UidRange[]) {
    if (!job.usedCredentials) return;
    const dir = paths.session(job.sessionId).claude;
    const refuse = (reason: string, error: string) =>
      audit("job_credentials_refused", "system", "denied", {
        job: job.id,
        session: job.sessionId,
        reason,
        error,
      });
    try {
      const after = (
        await readContainerFile(join(dir, credentialsFile), { maxBytes: maxCredentialsBytes, owners })
      )?.toString("utf8");
      if (!after || after === job.usedCredentials) return;
      if ((await readJobSecret(paths, "credentials")) !== job.usedCredentials) return;
      if (!isOAuthCredentials(after))
        return await refuse("shape", `${credentialsFile} is not Claude Code's OAuth credentials JSON`);
      await writeJobSecret(paths, "credentials", after);
    } catch (error) {
      if (!(error instanceof ContainerFileRefused)) throw error;
      await refuse(error.reason, error.message);
    } finally {
      await removeContainerFile(dir, credentialsFile);
    }
  }

  async function notify(job: RunningJob, status: string, durationMs: number) {
    const settings = await readJobSettings(paths).catch(() => undefined);
    if (!settings?.webhook) return;
    const token = await readJobSecret(paths, "webhookToken");
    const result = await sendJobWebhook(settings.webhook, token, {
      jobId: job.id,
      sessionId: job.sessionId,
      status,
      outputBytes: job.outputBytes,
      durationMs,
      resultText: job.result?.text ?? null,
    });
    await audit("job_notified", "system", result.ok ? "ok" : "error", {
      job: job.id,
      url: settings.webhook.url,
      ...result,
    });
  }

  async function cancel(jobId: string, actor: string) {
    const job = await deps.db.job.findUnique({ where: { id: jobId } });
    if (!job) throw new AppError("NOT_FOUND", `No job ${jobId}`);
    const live = running.get(jobId);
    if (live) {
      live.cancelledBy = actor;
      stopFor(live, "cancelled");
      return { status: "cancelling" as const };
    }
    if (job.status === "pending") {
      const { count } = await deps.db.job.updateMany({
        where: { id: jobId, status: "pending" },
        data: {
          status: "cancelled",
          finishedAt: new Date(),
          cancelledBy: actor,
          errorMessage: `cancelled by ${actor}`,
        },
      });
      if (count === 1) {
        await audit("job_cancelled", actor, "ok", { job: jobId, session: job.sessionId, whilePending: true });
        emit(jobId, { type: "status", status: "cancelled" });
        return { status: "cancelled" as const };
      }
    }
    throw new AppError("CONFLICT", `Job ${jobId} is ${job.status}, not running`);
  }

  /**
   * After a panel restart: running jobs' containers are found by label and followed again from
   * where their stored output ends; finished ones are collected; jobs without a container fail.
   */
  async function recover() {
    const docker = await deps.docker();
    const containers = await listLabelledContainers(docker, `${homeLabel}=${deps.homeId}`);
    const byJob = new Map(
      containers.flatMap((c) => (c.Labels?.[jobLabel] ? [[c.Labels[jobLabel], c] as const] : [])),
    );
    const jobs = await deps.db.job.findMany({ where: { status: "running" }, include: { session: true } });
    const { baseUrl } = await readJobSettings(paths);
    for (const job of jobs) {
      if (running.has(job.id)) continue;
      const container = byJob.get(job.id);
      if (!container) {
        await failBeforeStart(job.id, new Error("its container was gone after the panel restarted"));
        continue;
      }
      const template = await getJobTemplateOrThrow(deps.paths.templates, job.session.template).catch(
        () => null,
      );
      if (!template) {
        await stopContainer(docker, container.Id, 5).catch(() => {});
        await failBeforeStart(job.id, new Error(`its template ${job.session.template} is gone`));
        continue;
      }
      const modelProxy = container.Labels?.[jobModelLabel] === "proxy";
      const runPaths = paths.run(job.id);
      const lines = await readEventLines(runPaths.events);
      // Rewrite the file to its whole lines, so appending continues exactly after them.
      await writeFile(runPaths.events, lines.map((line) => `${line}\n`).join(""), { mode: 0o600 });
      const live = newRunningJob({
        id: job.id,
        sessionId: job.sessionId,
        containerId: container.Id,
        template,
        startedAt: job.startedAt?.getTime() ?? Date.now(),
        eventsPath: runPaths.events,
        usedCredentials: undefined,
      });
      live.lastOutputAt = job.lastOutputAt?.getTime() ?? null;
      for (const line of lines) {
        live.outputBytes += Buffer.byteLength(line) + 1;
        live.eventCount++;
        applyFacts(live, line);
      }
      const spec = jobContainerSpec({
        jobId: job.id,
        sessionId: job.sessionId,
        template,
        image: { ref: claudeCodeImage, digest: "" },
        rootless: await deps.rootless(),
        baseUrl,
        apiRule: apiEgressRule(baseUrl),
        modelProxy,
      });
      if (container.State === "running") {
        await deps.egress.ensure(`job:${job.id}`, paths.session(job.sessionId).dir, spec, { job: job.id });
        if (modelProxy) await models.ensure(job.id, paths.session(job.sessionId).dir);
      }
      await audit("job_reattached", "system", "ok", {
        job: job.id,
        storedEvents: lines.length,
        state: container.State,
      });
      follow(live, lines.length);
    }
    const sessions = await deps.db.job.findMany({
      where: { status: "pending" },
      distinct: ["sessionId"],
      select: { sessionId: true },
    });
    for (const { sessionId } of sessions) void pump(sessionId);
  }

  /** The live side of a running job (undefined once it ended). */
  function liveOf(jobId: string) {
    const job = running.get(jobId);
    if (!job) return undefined;
    const now = Date.now();
    const sinceOutput = now - (job.lastOutputAt ?? job.startedAt);
    const activity: "active" | "processing" | "idle" =
      job.lastOutputAt && sinceOutput < activeWithinMs
        ? "active"
        : job.openTools.size > 0 || sinceOutput < idleAfterMs
          ? "processing"
          : "idle";
    return {
      activity,
      outputBytes: job.outputBytes,
      eventCount: job.eventCount,
      lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt).toISOString() : null,
      openToolCalls: job.openTools.size,
      metrics: job.metrics,
      stopping: job.stoppedFor,
    };
  }

  function subscribe(jobId: string, listener: (update: JobUpdate) => void) {
    const set = listeners.get(jobId) ?? new Set();
    listeners.set(jobId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(jobId);
    };
  }

  /** Stops following (containers keep running; the next start re-attaches to them). */
  async function close() {
    closed = true;
    clearInterval(tick);
    clearInterval(upkeep);
    for (const job of running.values()) {
      job.abort.abort();
      if (job.dirty) await saveCounters(job).catch(() => {});
      closeSync(job.events);
      job.events = -1;
    }
    running.clear();
    await models.closeAll();
  }

  return {
    start,
    cancel,
    cleanup,
    recover,
    liveOf,
    subscribe,
    close,
    isRunning: (jobId: string) => running.has(jobId),
    runningSessions: () => new Set([...running.values()].map((job) => job.sessionId)),
    paths,
  };
}

function newRunningJob(
  fields: Pick<
    RunningJob,
    "id" | "sessionId" | "containerId" | "template" | "startedAt" | "usedCredentials"
  > & {
    eventsPath: string;
  },
): RunningJob {
  const { eventsPath, ...rest } = fields;
  return {
    ...rest,
    lastOutputAt: null,
    outputBytes: 0,
    eventCount: 0,
    sawInit: false,
    openTools: new Set(),
    result: null,
    claudeSessionId: null,
    stoppedFor: null,
    cancelledBy: null,
    metrics: [],
    events: openSync(eventsPath, "a", 0o600),
    dirty: true,
    abort: new AbortController(),
  };
}

/** What a stored or new line tells about the job: started, its Claude session, open tool calls, the result. */
function applyFacts(job: RunningJob, line: string) {
  const facts = factsOfLine(line);
  if (facts.kind === "init") job.sawInit = true;
  if (facts.sessionId) job.claudeSessionId = facts.sessionId;
  for (const id of facts.toolUses) job.openTools.add(id);
  for (const id of facts.toolResults) job.openTools.delete(id);
  if (facts.result) job.result = facts.result;
}

/**
 * The agents' conformance check on a job's container, from Podman and the kernel. A job that has
 * already ended (Claude Code can fail in well under a second) cannot be looked at any more.
 */
async function checkJobConformance(docker: Dockerode, id: string, spec: ContainerSpec, sessionDir: string) {
  const inspect = await inspectContainer(docker, id);
  const facts =
    inspect?.State.Running && inspect.State.Pid
      ? await readProcessFacts(inspect.State.Pid).catch(() => undefined)
      : undefined;
  if (!inspect || !facts) return { verdict: "not checked: the container had already ended", findings: [] };
  const findings = checkConformance({ spec, agentDir: sessionDir, inspect, process: facts });
  // The agents' check compares a rootful map with the range the panel chose; a job's range is
  // Podman's pick, but it must be one: never the host's own namespace.
  const uidMap = facts.uidMap.join(";");
  if (spec.userns.mode === "auto" && !new RegExp(`^0 [1-9]\\d* ${spec.userns.size}$`).test(uidMap))
    findings.push({
      setting: "user namespace",
      expected: `0 <host range> ${spec.userns.size}`,
      actual: uidMap,
    });
  return { verdict: findings.length ? "failed" : "passed", findings };
}

/** The container's own exit code (libpod wait); null when Podman cannot say. */
async function waitForExit(docker: Dockerode, id: string, signal: AbortSignal): Promise<number | null> {
  const answer = await dialLibpod(docker, `/containers/${encodeURIComponent(id)}/wait`, {
    method: "POST",
    query: { condition: "exited" },
    signal,
  }).catch(() => undefined);
  return typeof answer === "number" ? answer : null;
}

function isOAuthCredentials(text: string): boolean {
  try {
    return oauthCredentialsSchema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

/**
 * The job's stderr on disk, at most `maxStderrBytes` and then a marker line; written synchronously
 * (it is small), so nothing is buffered in memory. After a panel restart Podman replays stderr from
 * the start: the bytes already stored are skipped.
 */
export function cappedStderr(path: string, options: { append: boolean }) {
  const fd = openSync(path, options.append ? "a" : "w", 0o600);
  let written = options.append ? fstatSync(fd).size : 0;
  let skip = written;
  let cut = written > maxStderrBytes;
  let closed = false;
  return {
    write(data: Buffer) {
      if (closed) return;
      let rest = data;
      if (skip > 0) {
        const skipped = Math.min(skip, rest.length);
        skip -= skipped;
        rest = rest.subarray(skipped);
      }
      if (cut || rest.length === 0) return;
      const room = maxStderrBytes - written;
      writeSync(fd, rest.subarray(0, room));
      written += Math.min(room, rest.length);
      if (rest.length > room) {
        writeSync(fd, stderrCutMarker);
        cut = true;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
