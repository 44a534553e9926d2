import { chmod, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AgentApis } from "../agent-api/agent-apis";
import type { EgressProxies } from "../egress/egress-proxies";
import { AppError } from "../errors";
import { faultPoint } from "../fault-points";
import { checkConformance, readProcessFacts } from "../podman/conformance";
import { homeLabel, type Libpod, type LibpodInspect, podmanMessage } from "../podman/libpod";
import { libpodCreateBody } from "../podman/libpod-create-body";
import { readLogTail } from "../podman/log-stream";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { secretEnvNames } from "../policy/compile-inputs";
import type { SecretStore } from "../secrets/secret-store";
import { agentFilePaths, ensureAgentToken, readAgentFiles, readContainerSpec } from "./agent-files";
import { agentIdMapping, idRangesInUse } from "./agent-id-range";
import type { AgentModelGateways } from "./agent-model";
import { verifyLoadedPolicy } from "./agent-policy";
import type { AgentDeps } from "./create-agent";
import type { GatewayTunnels } from "./gateway-tunnels";
import { getAgentOrThrow } from "./get-agent";

export type LifecycleDeps = AgentDeps & {
  libpod: () => Promise<Libpod>;
  /** Label value naming this CLAW_HOME: containers of other homes on the same Podman are not ours. */
  homeId: string;
  /** Marks a stop or removal as the panel's own, so the reconciler does not report it as unexpected. */
  expectChange: (name: string) => void;
  /** Asks the reconciler to look again now. */
  changed: () => void;
  /** The per-agent egress proxies (`restricted`/`devops`), started before the container. */
  egress: Pick<EgressProxies, "ensure" | "close">;
  /** The per-agent model gateways (every profile), started before the container. */
  models: AgentModelGateways;
  /** The per-agent API sockets (agents whose policy allows jobs), listening before the container starts. */
  agentApis: AgentApis;
  /** Values of the secrets a template gives its agent as env. */
  secrets: Pick<SecretStore, "read">;
  /** The panel's ingress socket each agent's bridge dials, listening before the container starts. */
  ingress: Pick<GatewayTunnels, "ensure" | "close">;
  /** Ends the agent's open terminals with a reason, rather than as a broken stream mid-stop. */
  endTerminals: (name: string, reason: string) => void;
};

/** The claw container of an agent in this home, or undefined; one of another home is a conflict. */
export async function ownContainer(libpod: Libpod, deps: LifecycleDeps, spec: ContainerSpec) {
  const existing = await libpod.inspectContainer(spec.containerName);
  if (existing && existing.Config.Labels?.[homeLabel] !== deps.homeId) {
    throw new AppError("CONFLICT", `A container named ${spec.containerName} exists and is not this panel's`, {
      fix: `Remove it (podman rm -f ${spec.containerName}) if it is left over, or give the agent another name.`,
    });
  }
  return existing;
}

/** The template's env secrets, read now; a missing one stops the start with the command that sets it. */
async function readSecretEnv(deps: LifecycleDeps, name: string, spec: ContainerSpec) {
  const entries = Object.entries(spec.secretSources ?? {});
  const values = await Promise.all(
    entries.map(async ([env, secret]) => [env, secret, await deps.secrets.read(secret)]),
  );
  const missing = values.filter(([, , value]) => value === undefined).map(([, secret]) => secret as string);
  if (missing.length > 0)
    throw new AppError(
      "PRECONDITION_FAILED",
      `${name} was not started: it needs the secret${missing.length === 1 ? "" : "s"} ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not set`,
      {
        fix: `Set ${missing.length === 1 ? "it" : "them"} in Settings → Secrets, or \`claw secrets set ${missing[0]}\` (the value is read from standard input).`,
      },
    );
  return Object.fromEntries(values.map(([env, , value]) => [env as string, value as string]));
}

/** The last lines a container wrote, for the error of a start that failed. */
function tailOf(libpod: Libpod, id: string): Promise<string> {
  return readLogTail(libpod, id, { tail: 15, timestamps: false }).then(
    (lines) => lines.join("\n").trim(),
    () => "",
  );
}

/** The agent's row, its locked spec, and its container in this home (undefined when there is none). */
export async function loadAgent(deps: LifecycleDeps, name: string) {
  const agent = await getAgentOrThrow(deps.db, name);
  const spec = await readContainerSpec(deps.paths.agents, name);
  const libpod = await deps.libpod();
  return { agent, spec, libpod, container: await ownContainer(libpod, deps, spec) };
}

/** The agent's container in this home, running or not; undefined before its first start. */
export async function agentContainer(deps: LifecycleDeps, name: string) {
  return (await loadAgent(deps, name)).container;
}

/**
 * Verifies the lock, creates the container exactly from the locked spec, starts it and checks the
 * live container against the spec. Any failure removes the container again and says why.
 */
export async function startAgent(deps: LifecycleDeps, name: string, actor: string) {
  const started = Date.now();
  const phases: Record<string, number> = {};
  let phaseStart = started;
  const mark = (phase: string) => {
    phases[phase] = Date.now() - phaseStart;
    phaseStart = Date.now();
  };
  // The row and the files are read once: the spec started is the one whose lock was just verified.
  const agent = await getAgentOrThrow(deps.db, name);
  const stored = await readAgentFiles(deps.paths.agents, name);
  const verdict = await verifyLoadedPolicy(deps, agent, stored);
  if (verdict.state !== "ok") {
    const reasons = verdict.findings.map((finding) => finding.message);
    await deps.audit.record({
      category: "lifecycle",
      action: "agent_start_refused",
      actor,
      agent: name,
      outcome: "denied",
      details: { state: verdict.state, findings: reasons },
    });
    throw new AppError(
      "PRECONDITION_FAILED",
      `${name} was not started: its policy lock does not match (${verdict.state}): ${reasons.join("; ")}`,
      {
        fix: `Review the change with \`claw policy show ${name}\`; if it is intended, \`claw policy relock ${name}\` signs it.`,
      },
    );
  }
  const files = agentFilePaths(deps.paths.agents, name);
  const spec = JSON.parse(stored.containerSpecJson ?? "") as ContainerSpec;
  const libpod = await deps.libpod();
  mark("lock verified");
  const existing = await ownContainer(libpod, deps, spec);
  if (existing?.State.Running) {
    throw new AppError("CONFLICT", `${name} is already running`, { fix: `claw agents restart ${name}` });
  }
  if (existing) {
    deps.expectChange(name);
    await libpod.removeContainer(existing.Id, { force: true });
  }

  // A fresh socket for the new container (a crashed one's may still be open), in a fresh directory:
  // an agent made before ingress was the panel's own may have left its socket dir to the container.
  await deps.ingress.close(name);
  await rm(join(files.dir, "run", "ingress"), { recursive: true, force: true }).catch(() => {});
  for (const dir of ["workspace", "state", "logs", "run/ingress", "run/egress", "run/model", "run/api"]) {
    await mkdir(join(files.dir, dir), { recursive: true, mode: 0o700 });
  }
  // Mounted read-only for the agent's uid; the agent's dir (0700) keeps everyone else out.
  await chmod(files.openclawJson, 0o644);
  for (const dir of ["egress", "ingress", "model", "api"]) await chmod(join(files.dir, "run", dir), 0o755);
  // A writable workspace is given to the container's range by Podman (`U`); a read-only one stays
  // the panel's, so the agent's uid must be let in to read it. The directory entry itself lives in
  // the agent's dir, which no container sees: this chmod cannot be turned to another path.
  if (spec.mounts.some((mount) => mount.source === "workspace" && mount.readOnly))
    await chmod(join(files.dir, "workspace"), 0o755);
  const secretEnv: Record<string, string> = {
    ...(await readSecretEnv(deps, name, spec)),
    [secretEnvNames.gatewayToken]: await ensureAgentToken(deps.paths.agents, name),
    ...(spec.jobs
      ? { [secretEnvNames.hooksToken]: await ensureAgentToken(deps.paths.agents, name, "hooksToken") }
      : {}),
  };
  const host = await deps.host();
  const idMapping =
    spec.userns.mode === "auto" && !host.rootless
      ? await agentIdMapping(deps.db, name, await idRangesInUse(libpod, spec.containerName))
      : undefined;
  const body = libpodCreateBody(spec, {
    agentDir: files.dir,
    idMapping,
    secretEnv,
    runtimeLabels: { [homeLabel]: deps.homeId, "claw.lock": agent.lockDigest },
  });

  mark("prepared");
  let id: string | undefined;
  let live: LibpodInspect | undefined;
  try {
    // The panel's sockets listen before the agent can try to reach them.
    await deps.ingress.ensure(name, files.ingressSocket);
    await deps.egress.ensure(name, files.dir, spec);
    await deps.models.ensure(name, files.dir, spec);
    await deps.agentApis.ensure(name, files.apiSocket, spec);
    id = await libpod.createContainer(body).catch((error: unknown) => {
      throw new AppError(
        "INTERNAL",
        `Podman refused to create ${spec.containerName}: ${podmanMessage(error)}`,
        {
          fix: "Check `claw doctor`; the image may need building (`claw images build`).",
        },
      );
    });
    faultPoint("start:container-created");
    await libpod.startContainer(id).catch(async (error: unknown) => {
      throw new AppError("INTERNAL", `Podman could not start ${spec.containerName}: ${podmanMessage(error)}`);
    });
    faultPoint("start:container-started");
    live = await libpod.inspectContainer(id);
    if (!live?.State.Running || !live.State.Pid) {
      const tail = await tailOf(libpod, id);
      throw new AppError(
        "INTERNAL",
        `${name} exited right after it started (exit code ${live?.State.ExitCode ?? "?"})${tail ? `:\n${tail}` : ""}`,
      );
    }
    mark("created and started");
    const findings = checkConformance({
      spec,
      agentDir: files.dir,
      inspect: live,
      process: await readProcessFacts(live.State.Pid),
      idMapping,
    });
    if (findings.length > 0) {
      await deps.audit.record({
        category: "lifecycle",
        action: "agent_conformance_failed",
        actor,
        agent: name,
        outcome: "error",
        details: { containerId: id, findings },
      });
      throw new AppError(
        "INTERNAL",
        `${name} was stopped: the running container does not match its spec: ${findings.map((f) => `${f.setting} is ${f.actual}, expected ${f.expected}`).join("; ")}`,
        { fix: "This is a bug in claw or a change in Podman; `claw doctor` shows the Podman version." },
      );
    }
    mark("conformance checked");
    // Inside the try: an agent whose start the audit log cannot hold (a full disk) does not keep running.
    await deps.audit.record({
      category: "lifecycle",
      action: "agent_started",
      actor,
      agent: name,
      outcome: "ok",
      details: {
        containerId: id,
        image: spec.image,
        lockDigest: agent.lockDigest,
        network: spec.network.mode,
        idBase: idMapping?.hostBase ?? null,
        conformance: "passed",
        durationMs: Date.now() - started,
        phasesMs: phases,
      },
    });
  } catch (error) {
    if (id) {
      deps.expectChange(name);
      await libpod.removeContainer(id, { force: true }).catch(() => {});
    }
    await deps.egress.close(name).catch(() => {});
    await deps.models.close(name).catch(() => {});
    await deps.agentApis.close(name).catch(() => {});
    await deps.ingress.close(name).catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    await deps.audit
      .record({
        category: "lifecycle",
        action: "agent_start_failed",
        actor,
        agent: name,
        outcome: "error",
        details: { error: message.slice(0, 2000) },
      })
      .catch(() => {}); // the error the user needs is the one that stopped the start
    deps.changed();
    throw error instanceof AppError ? error : new AppError("INTERNAL", message, { cause: error });
  }

  deps.changed();
  return { name, containerId: id, durationMs: Date.now() - started };
}

/** The id of the agent's running container; a stopped agent is a clear error. */
export async function runningContainerId(deps: LifecycleDeps, name: string): Promise<string> {
  const live = await agentContainer(deps, name);
  if (!live?.State.Running) {
    throw new AppError("CONFLICT", `${name} is not running`, {
      fix: `Start it first: claw agents start ${name}`,
    });
  }
  return live.Id;
}

/** SIGTERM, then SIGKILL after the spec's stop timeout (or the one given). */
export async function stopAgent(
  deps: LifecycleDeps,
  name: string,
  actor: string,
  options: { timeoutSeconds?: number } = {},
) {
  const { spec, libpod, container: existing } = await loadAgent(deps, name);
  if (!existing?.State.Running) {
    deps.endTerminals(name, "the agent was stopped");
    throw new AppError("CONFLICT", `${name} is not running`);
  }
  const started = Date.now();
  const timeoutSeconds = options.timeoutSeconds ?? spec.stopTimeoutSeconds;
  // Recorded before anything is done: a stop the audit log cannot hold (a full disk) does not happen.
  await deps.audit.record({
    category: "lifecycle",
    action: "agent_stop_requested",
    actor,
    agent: name,
    outcome: "ok",
    details: { containerId: existing.Id, timeoutSeconds },
  });
  deps.endTerminals(name, "the agent was stopped");
  deps.expectChange(name);
  await libpod.stopContainer(existing.Id, timeoutSeconds);
  faultPoint("stop:container-stopped");
  await deps.egress.close(name);
  await deps.models.close(name);
  await deps.agentApis.close(name);
  await deps.ingress.close(name);
  const after = await libpod.inspectContainer(existing.Id);
  await deps.audit.record({
    category: "lifecycle",
    action: "agent_stopped",
    actor,
    agent: name,
    outcome: "ok",
    details: {
      containerId: existing.Id,
      exitCode: after?.State.ExitCode ?? null,
      timeoutSeconds,
      durationMs: Date.now() - started,
    },
  });
  deps.changed();
  return { name, exitCode: after?.State.ExitCode ?? null };
}

export async function restartAgent(deps: LifecycleDeps, name: string, actor: string) {
  deps.endTerminals(name, "the agent was restarted");
  if ((await agentContainer(deps, name))?.State.Running) await stopAgent(deps, name, actor);
  return startAgent(deps, name, actor);
}
