import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { agentIdRangeSize } from "../agents/agent-id-range";
import { AppError } from "../errors";
import { faultPoint } from "../fault-points";
import { removeContainerFile } from "../fs/container-files";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { checkConformance, readProcessFacts } from "../podman/conformance";
import { homeLabel, type Libpod, podmanMessage } from "../podman/libpod";
import type { IdMapping } from "../podman/libpod-create-body";
import type { ContainerSpec } from "../policy/compile-container-spec";
import {
  claudeCodeImage,
  claudeCommand,
  jobContainerSpec,
  jobCreateBody,
  jobPromptDir,
} from "./job-container";
import { followJob } from "./job-follow";
import { type JobRuntime, newRunningJob } from "./job-runtime";
import type { JobsPaths } from "./job-settings";
import { getJobTemplateOrThrow, type JobTemplate, withJobNetwork } from "./job-template";

/**
 * Claude Code's login file in its config dir. The panel keeps the login itself (the model gateway
 * adds its token); one found in the session's /claude (an older panel put it there, or the job made
 * it) is removed at each start.
 */
export const credentialsFile = ".credentials.json";

/** The Claude Code image's id; an error saying how to build it when it is not there (Podman's own errors pass). */
export async function claudeCodeImageIdOrThrow(libpod: Libpod): Promise<string> {
  const id = await libpod.imageId(claudeCodeImage);
  if (!id)
    throw new AppError("PRECONDITION_FAILED", `The Claude Code image ${claudeCodeImage} is not built`, {
      fix: "claw images build claude-code (or the Images page)",
    });
  return id;
}

/** The job's container spec: the model only through the panel's model gateway. */
export function jobSpec(
  job: { id: string; sessionId: string },
  template: JobTemplate,
  options: { imageId: string; rootless: boolean; agentWorkspace?: { agent: string; path: string } },
): ContainerSpec {
  return jobContainerSpec({
    jobId: job.id,
    sessionId: job.sessionId,
    template,
    image: { ref: claudeCodeImage, digest: options.imageId },
    rootless: options.rootless,
    agentWorkspace: options.agentWorkspace,
  });
}

/**
 * A job on an agent's workspace runs in the agent's user-id range (rootful), so the files each
 * writes are the other's; the agent has had a range since its first start.
 */
async function agentWorkspaceOf(rt: JobRuntime, agent: string, rootless: boolean) {
  const row = await rt.deps.db.agent.findUnique({ where: { name: agent } });
  if (!row)
    throw new AppError(
      "PRECONDITION_FAILED",
      `The agent ${agent}, whose workspace this job works on, is gone`,
    );
  if (!rootless && row.idBase === null)
    throw new AppError(
      "PRECONDITION_FAILED",
      `The agent ${agent} has not started yet: its workspace has no owner`,
      {
        fix: `claw agents start ${agent}`,
      },
    );
  return {
    agentWorkspace: { agent, path: join(rt.deps.paths.agents, agent, "workspace") },
    idMapping: row.idBase === null || rootless ? undefined : { hostBase: row.idBase, size: agentIdRangeSize },
  };
}

/** Creates and starts the job's container, then follows it. */
export async function launchJob(rt: JobRuntime, jobId: string) {
  const { deps } = rt;
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId }, include: { session: true } });
  const template = withJobNetwork(
    await getJobTemplateOrThrow(deps.paths.templates, job.session.template),
    job.network,
  );
  const libpod = await deps.libpod();
  const imageId = await claudeCodeImageIdOrThrow(libpod);
  const rootless = await deps.rootless();
  const sessionDir = rt.paths.session(job.sessionId).dir;
  await prepareJobFiles(rt.paths, job);
  const onAgent =
    job.session.workspace === "agent" && job.session.agent
      ? await agentWorkspaceOf(rt, job.session.agent, rootless)
      : undefined;
  const spec = jobSpec(job, template, { imageId, rootless, agentWorkspace: onAgent?.agentWorkspace });
  const resume = job.session.claudeSessionId;
  const body = jobCreateBody(spec, {
    sessionDir,
    command: claudeCommand({ resume, model: template.model }),
    secretEnv: {},
    runtimeLabels: { [homeLabel]: deps.homeId },
    idMapping: onAgent?.idMapping,
  });
  await deps.egress.ensure(`job:${jobId}`, sessionDir, spec, { job: jobId });
  await rt.models.ensure(jobId, sessionDir);
  const { containerId, conformance } = await startJobContainer(
    libpod,
    body,
    spec,
    sessionDir,
    onAgent?.idMapping,
  );
  const startedAt = new Date();
  // The row turns running with its audit event or not at all: a crash in between leaves a pending
  // job whose container recovery removes, never a running one nobody recorded.
  await deps.audit.transaction(async (tx, record) => {
    await tx.job.update({
      where: { id: jobId },
      data: { status: "running", startedAt, containerId, resumed: resume },
    });
    await record({
      category: "job",
      action: "job_started",
      actor: "system",
      agent: job.agent ?? null,
      outcome: "ok",
      details: {
        job: jobId,
        session: job.sessionId,
        workspace: onAgent ? `agent ${job.agent}` : "session",
        containerId,
        resumed: resume,
        network: spec.network.profile,
        allow: spec.network.allow,
        // The credential (API key or OAuth login) stays in the panel: the model gateway adds it.
        model: "proxy",
        conformance: conformance.verdict,
        image: imageId,
      },
    });
  });
  rt.bus.emit(jobId, { type: "status", status: "running" });
  followJob(
    rt,
    newRunningJob({
      id: jobId,
      sessionId: job.sessionId,
      agent: job.agent,
      containerId,
      template,
      startedAt: startedAt.getTime(),
      eventsPath: rt.paths.run(jobId).events,
    }),
    0,
  );
}

/** The session's and the run's directories and the prompt file; no login file in /claude. */
async function prepareJobFiles(paths: JobsPaths, job: { id: string; sessionId: string; prompt: string }) {
  const sessionPaths = paths.session(job.sessionId);
  const promptDir = join(sessionPaths.dir, jobPromptDir);
  for (const dir of [
    sessionPaths.workspace,
    sessionPaths.claude,
    sessionPaths.egress,
    sessionPaths.model,
    promptDir,
    paths.run(job.id).dir,
  ])
    await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(sessionPaths.egress, 0o755);
  await chmod(sessionPaths.model, 0o755);
  // The prompt reaches Claude Code as a file, not an argument (which any local user could read in
  // `ps`). Readable by the container's user (a mapped uid when rootful): 0644 in a 0755 directory,
  // inside the session's 0700 directory, which other host users cannot enter.
  await chmod(promptDir, 0o755);
  await writeFileAtomic(join(promptDir, "prompt"), job.prompt, 0o644);
  // The login stays in the panel. A copy an older panel left here (with tokens the job could read) goes;
  // /claude is the job's to write: whatever is there (a symlink, a FIFO) is removed, never followed.
  await removeContainerFile(sessionPaths.claude, credentialsFile);
}

/** Creates and starts the container and checks it against its spec; a container that fails is removed. */
async function startJobContainer(
  libpod: Libpod,
  body: object,
  spec: ContainerSpec,
  sessionDir: string,
  idMapping: IdMapping | undefined,
) {
  let containerId: string | undefined;
  try {
    containerId = await libpod.createContainer(body);
    faultPoint("job:container-created");
    await libpod.startContainer(containerId);
  } catch (error) {
    if (containerId) await libpod.removeContainer(containerId, { force: true }).catch(() => {});
    throw new AppError("INTERNAL", `Podman could not start the job's container: ${podmanMessage(error)}`);
  }
  faultPoint("job:container-started");
  const conformance = await checkJobConformance(libpod, containerId, spec, sessionDir, idMapping);
  if (conformance.findings.length > 0) {
    await libpod.removeContainer(containerId, { force: true }).catch(() => {});
    throw new AppError(
      "INTERNAL",
      `the job's container does not match its spec: ${conformance.findings.map((f) => `${f.setting} is ${f.actual}, expected ${f.expected}`).join("; ")}`,
    );
  }
  return { containerId, conformance };
}

/**
 * The agents' conformance check on a job's container, from Podman and the kernel. A job that has
 * already ended (Claude Code can fail in well under a second) cannot be looked at any more.
 */
async function checkJobConformance(
  libpod: Libpod,
  id: string,
  spec: ContainerSpec,
  sessionDir: string,
  idMapping: IdMapping | undefined,
) {
  const inspect = await libpod.inspectContainer(id);
  const facts =
    inspect?.State.Running && inspect.State.Pid
      ? await readProcessFacts(inspect.State.Pid).catch(() => undefined)
      : undefined;
  if (!inspect || !facts) return { verdict: "not checked: the container had already ended", findings: [] };
  // On an agent's workspace the range is the agent's, and must be exactly it.
  const findings = checkConformance({ spec, agentDir: sessionDir, inspect, process: facts, idMapping });
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
