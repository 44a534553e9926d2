import { access, mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log";
import type { EgressProxies } from "../egress/egress-proxies";
import { AppError } from "../errors";
import { faultPoint } from "../fault-points";
import { agentFilePaths, readContainerSpec } from "./agent-files";
import { type LifecycleDeps, ownContainer } from "./agent-lifecycle";
import { getAgentOrThrow } from "./get-agent";

/** Deleting also ends the agent's egress grants for good, not only those lasting until it stops. */
export type DeleteAgentDeps = LifecycleDeps & { egress: Pick<EgressProxies, "forget"> };

/**
 * Removes the container and moves the agent's directory to CLAW_HOME/trash/<name>-<time>/, then
 * drops its row with the audit event. A running agent needs `force`.
 */
export async function deleteAgent(
  deps: DeleteAgentDeps,
  name: string,
  actor: string,
  options: { force?: boolean } = {},
) {
  deps.endTerminals(name, "the agent was deleted");
  await getAgentOrThrow(deps.db, name);
  const files = agentFilePaths(deps.paths.agents, name);
  const spec = await readContainerSpec(deps.paths.agents, name).catch(() => undefined);
  const libpod = await deps.libpod();
  const existing = spec ? await ownContainer(libpod, deps, spec) : undefined;
  if (existing?.State.Running && !options.force) {
    throw new AppError("CONFLICT", `${name} is running`, { fix: `Stop it first, or delete with --force.` });
  }
  if (existing) {
    deps.expectChange(name);
    await libpod.removeContainer(existing.Id, { force: true });
  }
  // Its proxy closes, and every grant and held request of its ends: a new agent of the same name
  // inherits none.
  await deps.egress.forget(name);
  await deps.models.close(name);
  await deps.agentApis.forget(name, actor);
  await deps.ingress.close(name);
  faultPoint("delete:container-removed");
  await mkdir(deps.paths.trash, { recursive: true, mode: 0o700 });
  const trashDir = join(deps.paths.trash, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  // A folder already gone (lost, or moved by hand) does not keep the row: the agent is deleted all
  // the same, and its place in the trash is an empty folder.
  const folderMissing = await access(files.dir).then(
    () => false,
    () => true,
  );
  if (folderMissing) await mkdir(files.dir, { recursive: true, mode: 0o700 });
  await rename(files.dir, trashDir);
  faultPoint("delete:folder-trashed");
  try {
    await dropAgentRecords(deps.audit, name, actor, {
      trash: trashDir,
      containerRemoved: existing?.Id ?? null,
      forced: options.force === true,
      ...(folderMissing ? { folderMissing: true } : {}),
    });
  } catch (error) {
    await rename(trashDir, files.dir);
    throw error;
  }
  deps.changed();
  return { name, trash: trashDir };
}

/**
 * The agent's row goes with its access grants and open pairings, and `agent_deleted` commits with
 * them. Also how recovery finishes a delete a crash cut short after the folder went to the trash.
 */
export async function dropAgentRecords(
  audit: AuditLog,
  name: string,
  actor: string,
  details: Record<string, string | boolean | null>,
) {
  await audit.transaction(async (tx, record) => {
    await tx.agent.delete({ where: { name } });
    // Access to an agent ends with it: a new agent of the same name starts with nobody paired.
    for (const grant of await tx.accessGrant.findMany({ where: { agent: name } })) {
      await tx.accessGrant.delete({ where: { id: grant.id } });
      await record({
        category: "access",
        action: "access_revoked",
        actor,
        agent: name,
        outcome: "ok",
        details: {
          channel: grant.channel,
          subjectId: grant.subjectId,
          role: grant.role,
          reason: "agent deleted",
        },
      });
    }
    await tx.pairing.updateMany({
      where: { agent: name, status: { in: ["pending", "claimed"] } },
      data: { status: "cancelled", resolvedAt: new Date(), resolvedBy: actor },
    });
    await record({
      category: "lifecycle",
      action: "agent_deleted",
      actor,
      agent: name,
      outcome: "ok",
      details,
    });
  });
}
