/**
 * The panel's one process: Next.js pages, the tRPC API and WebSockets on a single port bound to
 * 127.0.0.1, with the security gate in front of all of them.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { createAccessService } from "./server/access/access-service";
import { agentOpsOf } from "./server/access/agent-ops";
import { createAgentApis } from "./server/agent-api/agent-apis";
import { agentIdRangeSize } from "./server/agents/agent-id-range";
import { createAgentService, homeIdOf } from "./server/agents/agent-service";
import { recoverAgentContainers } from "./server/agents/recover-agent-containers";
import { podmanAfterRecovery, recoverAgentFolders } from "./server/agents/recover-agents";
import { createActivityReader } from "./server/approvals/agent-activity";
import { type Approvals, createApprovals } from "./server/approvals/approvals";
import { createAuditLog } from "./server/audit/audit-log";
import { createAuditTail } from "./server/audit/audit-tail";
import { sweepEndedSessions } from "./server/auth/end-session";
import { createLoginCodes, loginUrl } from "./server/auth/login-codes";
import { createLoginRateLimiter } from "./server/auth/login-rate-limiter";
import { retirePanelToken } from "./server/auth/retire-panel-token";
import { clawPaths, loadConfig } from "./server/config";
import { createDb } from "./server/db/client";
import { applyMigrations } from "./server/db/migrate";
import { optimizeDatabase } from "./server/db/optimize-database";
import { createEgressProxies } from "./server/egress/egress-proxies";
import { parseResolveOverrides } from "./server/egress/egress-proxy";
import { appErrorOf } from "./server/errors";
import { claimClawHome } from "./server/fs/claim-claw-home";
import { ensureClawHome } from "./server/fs/ensure-claw-home";
import { createPanelHandler } from "./server/http/panel-handler";
import { listenOnPanelSocket } from "./server/http/panel-socket";
import { createImageBuilds } from "./server/images/image-builds";
import { createJobService } from "./server/jobs/job-service";
import { jobModelSecret } from "./server/jobs/job-settings";
import { loadOrCreateHostKey } from "./server/keys/host-key";
import { createModelGateways } from "./server/models/model-gateways";
import type { PanelServices } from "./server/panel/panel-services";
import { createPodmanService } from "./server/podman/podman-service";
import { createSecretStore } from "./server/secrets/secret-store";
import { createTerminalManager } from "./server/terminal/terminal-sessions";
import { createTicketStore } from "./server/terminal/terminal-tickets";

const projectRoot = fileURLToPath(new URL(".", import.meta.url));
const shutdownGraceMs = 10_000;

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new Error(
            `Port ${port} on 127.0.0.1 is in use. Is another claw panel running? Set CLAW_PORT to use another port.`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

async function main() {
  const config = loadConfig();
  const paths = clawPaths(config.home);
  await ensureClawHome(paths);
  const claim = await claimClawHome(paths.run);
  const { applied } = applyMigrations({ dbPath: paths.db });
  if (applied.length > 0) console.log(`claw: database migrated (${applied.join(", ")})`);
  optimizeDatabase(paths.db);
  const db = createDb(paths.db);
  if (await retirePanelToken(paths.panelToken))
    console.log(`claw: removed ${paths.panelToken}: the CLI now uses ${paths.panelSocket}, no token`);
  const hostKey = await loadOrCreateHostKey(paths.keys);
  const audit = createAuditLog({ db, hostKey, checkpointsPath: paths.auditCheckpoints });
  const recovered = await audit.recover();
  if (recovered) console.log(`claw: audit log: ${recovered}`);
  const auditTail = createAuditTail({ db, audit });
  // A crash mid-create, mid-delete or mid-re-lock is finished or undone before anything serves.
  const folders = await recoverAgentFolders({ paths, db, audit, hostKey });
  for (const line of folders.done) console.log(`claw: recovery: ${line}`);
  for (const { path, problem } of folders.left)
    console.warn(`claw: recovery: ${path}: ${problem} (claw doctor lists it)`);
  const podman = createPodmanService(paths);
  // Services are complete only below; the first build locks agents created before any image.
  let lockUnbuilt = async () => {};
  const imageBuilds = createImageBuilds({ podman, audit, onBuilt: () => lockUnbuilt() });
  const version = (
    JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string }
  ).version;

  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const app = next({ dev: config.dev, dir: projectRoot, hostname: "127.0.0.1", port: config.port });
  await app.prepare();

  const libpod = async () => (await podman.get()).libpod;
  // The inbox is built once agents are (an "always" re-locks one); proxies reach it only when asked.
  let approvals: Approvals | undefined;
  const egress = createEgressProxies({
    audit,
    overrides: parseResolveOverrides(process.env.CLAW_EGRESS_RESOLVE),
    approvals: () => {
      if (!approvals) throw new Error("approvals are not ready yet");
      return approvals;
    },
  });
  const secrets = createSecretStore({ dir: paths.secrets, audit });
  await secrets.adopt(jobModelSecret, join(paths.jobs, "secrets", jobModelSecret));
  const models = createModelGateways({ db, audit, secrets, overrides: egress.overrides });
  const terminals = {
    tickets: createTicketStore(),
    manager: createTerminalManager({ libpod, audit }),
  };
  // Agents' API sockets start jobs; the job service is built below (called only once agents run).
  const agentApis = createAgentApis({ jobs: () => ({ db, jobs }), audit });
  const agents = createAgentService({
    config,
    paths,
    db,
    audit,
    hostKey,
    // Containers a crash or the time the panel was down left are checked before the first status sweep.
    podman: podmanAfterRecovery(podman, async (libpod) => {
      const lines = await recoverAgentContainers(
        { paths, db, audit, hostKey, homeId: homeIdOf(paths.home) },
        libpod,
      );
      for (const line of lines) console.log(`claw: recovery: ${line}`);
    }),
    egress,
    models,
    agentApis,
    secrets,
    endTerminals: (name, reason) => terminals.manager.closeAll(name, reason),
  });
  // The state dir's transcript is the agent's to write: read through the boundary helper, capped.
  const activity = createActivityReader({
    agentsDir: paths.agents,
    maxDbBytes: 16 * 1024 * 1024,
    maxWalBytes: 8 * 1024 * 1024,
    ownersOf: async (agent) => {
      const row = await db.agent.findUnique({ where: { name: agent }, select: { idBase: true } });
      return row?.idBase == null ? [] : [{ first: row.idBase, count: agentIdRangeSize }];
    },
  });
  approvals = createApprovals({
    db,
    audit,
    activityOf: (owner) => activity.activityOf(owner),
    allowAlways: (agent, entry, actor, why) => agents.editNetwork(agent, { add: [entry] }, actor, why),
  });
  await approvals.start();
  const jobs = createJobService({
    db,
    audit,
    paths,
    homeId: agents.homeId,
    libpod,
    rootless: async () => (await agents.host()).rootless,
    egress,
    models,
    secrets,
    agentHooks: { notify: (agent, notice) => agents.notifyJobEnd(agent, notice) },
  });
  const services: PanelServices = {
    config,
    paths,
    db,
    podman,
    hostKey,
    audit,
    auditTail,
    imageBuilds,
    agents,
    approvals,
    terminals,
    jobs,
    secrets,
    access: createAccessService({
      db,
      audit,
      accessDir: paths.access,
      agents: agentOpsOf({ agents, jobs, db, paths }),
      approvals,
    }),
    startedAt: new Date(),
    version,
  };
  lockUnbuilt = async () => {
    const locked = await agents.lockUnbuilt();
    if (locked.length > 0) console.log(`claw: locked ${locked.join(", ")} to the new image`);
  };
  const loginCodes = createLoginCodes();
  const handler = createPanelHandler({
    services,
    loginCodes,
    limiter: createLoginRateLimiter(),
    next: { handle: app.getRequestHandler() },
  });
  const server = createServer(handler.handleRequest);
  server.on("upgrade", handler.handleUpgrade);
  await listen(server, config.port);
  const cliServer = await listenOnPanelSocket(paths.panelSocket, handler);

  await audit.record({
    category: "panel",
    action: "panel_started",
    actor: "system",
    outcome: "ok",
    details: { version, port: config.port, pid: process.pid, keyId: hostKey.keyId },
  });
  console.log(`claw ${version}: panel on http://127.0.0.1:${config.port} (state in ${paths.home})`);
  // A one-time code, valid 10 minutes: `claw login-url` prints a fresh one whenever needed.
  console.log(`claw: log in at ${loginUrl(config.port, loginCodes.issue().code)}`);

  // The bot (when configured) starts polling now; a Bot API that is down is retried, not fatal.
  await services.access.start();
  // Connect to Podman in the background: the panel serves (and the doctor explains) even without it.
  podman
    .get()
    .then(() =>
      services.jobs
        .recover()
        .catch((error: Error) => console.error(`claw: could not re-attach jobs: ${error.message}`)),
    )
    .catch((error: Error) => console.warn(`claw: Podman not available yet: ${error.message}`));
  const hourly = async () => {
    await sweepEndedSessions(db, audit);
    optimizeDatabase(paths.db);
  };
  const sweep = setInterval(
    () =>
      void hourly().catch((error: Error) => console.error(`claw: hourly upkeep failed: ${error.message}`)),
    3600_000,
  );
  sweep.unref();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`claw: ${signal} received, shutting down`);
    const force = setTimeout(() => {
      console.error("claw: shutdown took too long, exiting");
      process.exit(1);
    }, shutdownGraceMs);
    force.unref();
    clearInterval(sweep);
    handler.close();
    auditTail.close();
    // Agents keep running: the next start of the panel picks them up by their labels.
    services.terminals.manager.closeAll();
    // Jobs keep running too: their containers are followed again by the next start.
    await services.jobs.close();
    await services.access.close();
    approvals.close();
    await agents.close();
    await agentApis.closeAll();
    await egress.closeAll();
    await models.closeAll();
    server.close();
    server.closeIdleConnections();
    cliServer.close();
    cliServer.closeIdleConnections();
    await Promise.allSettled([podman.close(), app.close()]);
    const uptimeSeconds = Math.round((Date.now() - services.startedAt.getTime()) / 1000);
    // The last event, then a checkpoint over it: a clean stop leaves nothing uncovered.
    await audit
      .record({
        category: "panel",
        action: "panel_stopped",
        actor: "system",
        outcome: "ok",
        details: { signal, uptimeSeconds },
      })
      .then(() => audit.close())
      .catch((error: Error) => console.error(`claw: could not close the audit log: ${error.message}`));
    await db.$disconnect();
    await claim.release();
    server.closeAllConnections();
    cliServer.closeAllConnections();
    console.log("claw: stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  // A full disk at start (migrations, the audit repair) says so, with the fix.
  let home = "CLAW_HOME";
  try {
    home = loadConfig().home;
  } catch {}
  const known = appErrorOf(error, home);
  const fix = known?.fix ? `\n  fix: ${known.fix}` : "";
  console.error(
    `claw: failed to start: ${(known ?? (error instanceof Error ? error : { message: String(error) })).message}${fix}`,
  );
  process.exit(1);
});
