import { join } from "node:path";
import type { TestAuditLog } from "../audit/audit-test-log";
import { clawPaths } from "../config";
import type { Libpod } from "../podman/libpod";
import { type AgentStatusTracker, createAgentStatusTracker } from "./agent-status";
import type { AgentDeps } from "./create-agent";

/** An agent's row as a create leaves it, without its folder: enough for status and recovery. */
export async function createAgentRow(db: TestAuditLog["db"], name: string) {
  await db.agent.create({
    data: {
      name,
      template: "reviewer",
      templateSource: "builtin",
      networkProfile: "none",
      imageRef: "localhost/claw-openclaw-agent:latest",
      imageDigest: "unbuilt",
      lockDigest: "x",
      lockedAt: new Date(),
    },
  });
}

/** Create's deps over a test audit log, with a CLAW_HOME inside its temp dir and no image built. */
export function testAgentDeps(log: TestAuditLog): AgentDeps {
  return {
    paths: clawPaths(join(log.dir, "home")),
    db: log.db,
    audit: log.audit,
    hostKey: log.hostKey,
    imageDigest: async () => undefined,
    host: async () => ({ rootless: false, panelPort: 7878 }),
  };
}

/** A status tracker that sweeps only when the test asks (`refresh`), over a stand-in Podman. */
export function testStatusTracker(
  log: TestAuditLog,
  libpod: Libpod,
  options: Partial<Parameters<typeof createAgentStatusTracker>[0]> = {},
): AgentStatusTracker {
  return createAgentStatusTracker({
    db: log.db,
    audit: log.audit,
    homeId: "home",
    libpod: async () => libpod,
    intervalMs: 3_600_000,
    probeReady: async () => false,
    ...options,
  });
}
