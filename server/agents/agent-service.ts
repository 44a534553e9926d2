import { createHash } from "node:crypto";
import type { AgentApis } from "../agent-api/agent-apis";
import { proposeAgentAllowlist } from "../approvals/propose-agent-allowlist";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths, Config } from "../config";
import type { Db } from "../db/client";
import type { EgressProxies } from "../egress/egress-proxies";
import { agentEgressView } from "../egress/egress-view";
import { AppError } from "../errors";
import type { JobNotice } from "../jobs/job-notify";
import type { HookResult } from "../jobs/job-runtime";
import type { HostKey } from "../keys/host-key";
import type { ModelGateways } from "../models/model-gateways";
import { modelUsageOf } from "../models/model-usage";
import { type Libpod, podmanMessage } from "../podman/libpod";
import { asPodmanOutage, isPodmanOutage } from "../podman/podman-errors";
import type { PodmanService } from "../podman/podman-service";
import type { HostFacts } from "../policy/compile-inputs";
import { compilePolicy } from "../policy/compile-policy";
import { explainPolicy } from "../policy/explain-policy";
import { getTemplateOrThrow } from "../policy/load-templates";
import { describeRoute } from "../policy/model-route";
import { dnsLabel } from "../policy/template-schema";
import type { SecretStore } from "../secrets/secret-store";
import { createSerialQueue } from "../serial-queue";
import { runInContainer } from "../terminal/run-command";
import { agentFilePaths, ensureAgentToken, readContainerSpec } from "./agent-files";
import { postJobNotice } from "./agent-hooks";
import {
  type LifecycleDeps,
  restartAgent,
  runningContainerId,
  startAgent,
  stopAgent,
} from "./agent-lifecycle";
import { type FollowLogsOptions, followAgentLogs, readAgentLogs } from "./agent-logs";
import { agentModelGateways } from "./agent-model";
import { removeOrphan } from "./agent-orphans";
import { lockUnbuiltAgents, relockAgent, showAgentPolicy, verifyAgentPolicy } from "./agent-policy";
import { type AgentStatusTracker, createAgentStatusTracker } from "./agent-status";
import { editAgentNetwork, type NetworkChange } from "./agent-template";
import { type AgentDeps, createAgent, unbuiltDigest } from "./create-agent";
import { deleteAgent } from "./delete-agent";
import { probeGateway } from "./gateway-probe";
import { createGatewayProxies, type GatewayProxies, hasPanelSession } from "./gateway-proxy";
import { createGatewayTunnels, type GatewayTunnels } from "./gateway-tunnels";
import { getAgentOrThrow } from "./get-agent";
import { inspectAgent } from "./inspect-agent";

/** `route` null: the agent has no model route at all; `missingSecret`: its credential is not set. */
export type ModelReadiness = { route: string | null; missingSecret: string | null; fix: string | null };

export type AgentServiceDeps = {
  config: Config;
  paths: ClawPaths;
  db: Db;
  audit: AuditLog;
  hostKey: HostKey;
  podman: PodmanService;
  /** Shared with jobs: one proxy per running `restricted`/`devops` agent or job. */
  egress: EgressProxies;
  /** Shared with jobs: one model gateway per running agent or job. */
  models: ModelGateways;
  /** The agent API sockets of agents whose policy allows Claude Code jobs. */
  agentApis: AgentApis;
  secrets: SecretStore;
  /** Ends the agent's open terminals with a reason, rather than as a broken stream mid-stop. */
  endTerminals: (name: string, reason: string) => void;
};

/** Everything the panel does with agents: routers, WebSockets, the doctor and chat commands call this. */
export type AgentService = ReturnType<typeof createAgentService>;

/** Names this CLAW_HOME on its containers: several panels (tests) may share one Podman. */
export function homeIdOf(home: string): string {
  return createHash("sha256").update(home).digest("hex").slice(0, 12);
}

/** Built once in server.ts; its status sweep, Gateway ports and sockets live until `close`. */
export function createAgentService(deps: AgentServiceDeps) {
  const homeId = homeIdOf(deps.paths.home);
  const libpod = async (): Promise<Libpod> => (await deps.podman.get()).libpod;
  const readSpec = (name: string) => readContainerSpec(deps.paths.agents, name);
  const tunnels: GatewayTunnels = createGatewayTunnels();
  const egress = deps.egress;
  const models = agentModelGateways(deps.models);
  const gateways: GatewayProxies = createGatewayProxies({
    panelPort: deps.config.port,
    isLoggedIn: hasPanelSession(deps.db, deps.config.port),
    tunnels,
  });
  const status: AgentStatusTracker = createAgentStatusTracker({
    db: deps.db,
    audit: deps.audit,
    homeId,
    libpod,
    // A restarted panel restores what a running agent relies on: its ingress socket, egress proxy and model gateway.
    async onRunning(name) {
      const files = agentFilePaths(deps.paths.agents, name);
      await tunnels.ensure(name, files.ingressSocket);
      const spec = await readSpec(name);
      await egress.ensure(name, files.dir, spec);
      await models.ensure(name, files.dir, spec);
      await deps.agentApis.ensure(name, files.apiSocket, spec);
    },
    // Stopped behind the panel's back: its egress proxy closes, so what lasts "until it stops" ends.
    onGone: (name) => egress.close(name),
    // No idle tunnel yet means the bridge is not up: not ready, without holding up the sweep.
    probeReady: (name) => probeGateway(() => tunnels.claim(name, 0)),
  });

  // Allowlist edits and re-locks of one agent run one after another: each reads the template copy
  // and the lock the one before wrote, so none loses another's change or forks the lock chain. A
  // failed one does not stop the next.
  const policySerially = createSerialQueue();

  // Whether Podman is rootless does not change while the panel runs; asking costs a `podman info`.
  let rootless: boolean | undefined;
  const agentDeps: AgentDeps = {
    paths: deps.paths,
    db: deps.db,
    audit: deps.audit,
    hostKey: deps.hostKey,
    // Undefined only when Podman says there is no such image (the lock then says "unbuilt"). A
    // Podman that does not answer is an error: "unknown" must never be signed or judged as drift.
    async imageDigest(ref) {
      const podman = await libpod().catch((error: unknown) => {
        throw asPodmanOutage(error);
      });
      return podman.imageId(ref).catch((error: unknown) => {
        if (isPodmanOutage(error)) throw error;
        throw new AppError(
          "UNAVAILABLE",
          `Podman could not say whether the image ${ref} is there: ${podmanMessage(error)}`,
          {
            fix: "See `claw doctor` for Podman's state, then try again. Nothing was changed.",
            cause: error,
          },
        );
      });
    },
    async host(): Promise<HostFacts> {
      let answer = rootless;
      if (answer === undefined) {
        const podman = await deps.podman.status();
        answer = podman.rootless ?? process.getuid?.() !== 0;
        if (podman.reachable) rootless = answer;
      }
      return { rootless: answer, panelPort: deps.config.port };
    },
  };
  const lifecycle: LifecycleDeps & { egress: EgressProxies } = {
    ...agentDeps,
    libpod,
    homeId,
    expectChange: (name) => status.expectChange(name),
    changed: () => void status.refresh().catch(() => {}),
    egress,
    models,
    agentApis: deps.agentApis,
    secrets: deps.secrets,
    ingress: tunnels,
    endTerminals: deps.endTerminals,
  };

  /**
   * Whether the agent can think: its route (described), and the secret it lacks, if any. A green
   * "ready" needs both the Gateway and this.
   */
  async function modelReadiness(name: string): Promise<ModelReadiness> {
    const spec = await readSpec(name).catch(() => undefined);
    const route = spec?.model;
    if (!route)
      return {
        route: null,
        missingSecret: null,
        fix: `It was compiled before the model gateway: create it again (claw agents create --template ${spec?.labels["claw.template"] ?? "…"}).`,
      };
    const missing = route.secret && !(await deps.secrets.has(route.secret)) ? route.secret : null;
    return {
      route: describeRoute(route),
      missingSecret: missing,
      fix: missing
        ? `Set the secret ${missing} in Settings → Secrets, or \`claw secrets set ${missing}\`.`
        : null,
    };
  }

  return {
    homeId,
    status,
    /** The agents' view of the host (rootless or not, the panel's port), as the compiler takes it. */
    host: agentDeps.host,

    /** The agents with their live status (Podman is asked every few seconds, and on its events). */
    async list() {
      const rows = await deps.db.agent.findMany({ orderBy: { name: "asc" } });
      const snapshot = status.snapshot();
      const models = await Promise.all(rows.map((row) => modelReadiness(row.name)));
      return {
        agents: rows.map((row, index) => ({
          ...row,
          live: snapshot.agents[row.name] ?? null,
          model: models[index],
        })),
        podman: snapshot.podman,
        orphans: snapshot.orphans,
        sweptAt: snapshot.sweptAt,
        freshAt: snapshot.freshAt,
      };
    },
    /** Looks at Podman now rather than waiting for the next sweep. */
    async refresh() {
      await status.refresh();
      return { ok: true };
    },
    create: (input: { name: string; template: string }, actor: string) =>
      createAgent(agentDeps, { ...input, actor }),
    start: (name: string, actor: string) => startAgent(lifecycle, name, actor),
    stop: (name: string, actor: string, options: { timeoutSeconds?: number } = {}) =>
      stopAgent(lifecycle, name, actor, options),
    restart: (name: string, actor: string) => restartAgent(lifecycle, name, actor),
    async delete(name: string, actor: string, options: { force?: boolean } = {}) {
      const result = await deleteAgent(lifecycle, name, actor, options);
      gateways.close(name);
      return result;
    },
    async inspect(name: string) {
      return {
        ...(await inspectAgent(lifecycle, name)),
        live: status.snapshot().agents[name] ?? null,
        model: await modelReadiness(name),
      };
    },
    /** The agent's model use through the gateway: today and each of the last 7 days. */
    async modelUsage(name: string) {
      await getAgentOrThrow(deps.db, name);
      return modelUsageOf(deps.db, { agent: name });
    },
    /** Which agents' locked specs name each secret (their model's credential or an env secret). */
    async secretsInUse(): Promise<Map<string, string[]>> {
      const rows = await deps.db.agent.findMany({ orderBy: { name: "asc" }, select: { name: true } });
      const used = new Map<string, string[]>();
      for (const { name } of rows) {
        const spec = await readSpec(name).catch(() => undefined);
        const names = new Set([
          ...(spec?.model?.secret ? [spec.model.secret] : []),
          ...Object.values(spec?.secretSources ?? {}),
        ]);
        for (const secret of names) used.set(secret, [...(used.get(secret) ?? []), name]);
      }
      return used;
    },
    /** The id of the agent's running container; a stopped agent is a clear error. */
    containerOf: (name: string) => runningContainerId(lifecycle, name),
    logs: (name: string, options: { tail: number }) => readAgentLogs(lifecycle, name, options),
    followLogs: (name: string, options: FollowLogsOptions) => followAgentLogs(lifecycle, name, options),
    removeOrphan: (id: string, actor: string) => removeOrphan(lifecycle, id, actor),

    /**
     * For Doctor: whether each running agent's own uid can list its workspace, asked inside its
     * container (a stopped agent is asked when it runs).
     */
    async workspaceAccess() {
      const rows = await deps.db.agent.findMany({ select: { name: true }, orderBy: { name: "asc" } });
      const live = status.snapshot().agents;
      return Promise.all(
        rows.map(async ({ name }) => {
          const containerId = live[name]?.state === "running" ? live[name]?.containerId : null;
          if (!containerId) return { agent: name, running: false as const };
          const result = await runInContainer(await libpod(), containerId, ["ls", "-A", "/workspace"]).catch(
            (error: Error) => ({ exitCode: null, stderr: error.message }),
          );
          return {
            agent: name,
            running: true as const,
            readable: result.exitCode === 0,
            error: result.stderr.trim(),
          };
        }),
      );
    },

    /** The Claude Code jobs the agent's locked policy allows (null: none). */
    async jobsPolicy(name: string) {
      await getAgentOrThrow(deps.db, name);
      return (await readSpec(name)).jobs ?? null;
    },

    /** Tells the agent that a job it started ended, on its Gateway's hook (the token stays in the panel). */
    async notifyJobEnd(name: string, notice: JobNotice): Promise<HookResult> {
      const token = await ensureAgentToken(deps.paths.agents, name, "hooksToken");
      return postJobNotice(() => tunnels.claim(name), token, name, notice).catch((error: Error) => ({
        ok: false,
        status: null,
        error: `the agent's Gateway is not reachable (${error.message}); is the agent running?`,
      }));
    },

    /** Where the browser opens the agent's Control UI: its own loopback port, with the token in the fragment. */
    async gatewayLink(name: string) {
      await getAgentOrThrow(deps.db, name);
      const port = await gateways.open(name);
      const token = await ensureAgentToken(deps.paths.agents, name);
      return { port, path: `/agents/${name}/gateway/`, token };
    },
    /** "Propose an allowlist" from the agent's recent egress, judged with the names the proxies trust. */
    proposeAllowlist: (name: string, hours: number) =>
      proposeAgentAllowlist({ db: deps.db, paths: deps.paths, overrides: egress.overrides }, name, hours),
    async egressView(name: string) {
      await getAgentOrThrow(deps.db, name);
      return agentEgressView({ db: deps.db, proxies: egress }, name, (await readSpec(name)).network);
    },

    policy: (name: string) => showAgentPolicy(agentDeps, name),
    verify: (name: string) => verifyAgentPolicy(agentDeps, name),
    /** Verifies and records the verdict. */
    async validate(name: string, actor: string) {
      const verdict = await verifyAgentPolicy(agentDeps, name);
      await deps.audit.record({
        category: "policy",
        action: "policy_validated",
        actor,
        agent: name,
        outcome: verdict.state === "ok" ? "ok" : "error",
        details: { state: verdict.state, findings: verdict.findings.map((finding) => finding.message) },
      });
      return verdict;
    },
    relock: (name: string, actor: string) => policySerially(name, () => relockAgent(agentDeps, name, actor)),
    /** Changes this agent's allowlist or egress mode alone, in its own template copy, and re-locks. */
    editNetwork: (name: string, change: NetworkChange, actor: string, why: string) =>
      policySerially(name, async () => {
        const agent = await getAgentOrThrow(deps.db, name);
        const changed = await editAgentNetwork(agentDeps, agent, change, actor, why, () =>
          relockAgent(agentDeps, name, actor),
        );
        // A running agent's proxy takes the new allowlist and mode now, without cutting what is open.
        if (egress.running().includes(name))
          await egress.ensure(name, agentFilePaths(deps.paths.agents, name).dir, await readSpec(name));
        return changed;
      }),
    /** After an image build: agents locked to "unbuilt" are locked to the image now there. */
    lockUnbuilt: () => lockUnbuiltAgents(agentDeps),
    /** What an agent made from this template would get: both artifacts and the explanation. */
    async preview(template: string, agent: string) {
      const loaded = await getTemplateOrThrow(deps.paths.templates, template);
      const ref = loaded.template.container.image;
      const compiled = compilePolicy({
        template: loaded.template,
        agent: dnsLabel.safeParse(agent).success ? agent : "new-agent",
        image: { ref, digest: (await agentDeps.imageDigest(ref)) ?? unbuiltDigest },
        host: await agentDeps.host(),
      });
      return {
        openclawConfig: compiled.openclawConfig,
        containerSpec: compiled.containerSpec,
        explanation: explainPolicy(compiled),
      };
    },

    /**
     * Agents keep running: the next start of the panel picks them up by their labels. The egress
     * proxies are shared with jobs: whoever made them closes them.
     */
    async close() {
      status.close();
      gateways.closeAll();
      await tunnels.closeAll();
    },
  };
}
