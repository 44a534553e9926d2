import { AppError } from "../errors";
import { homeLabel } from "../podman/libpod";
import type { LifecycleDeps } from "./agent-lifecycle";

/** Removes a container that carries this home's label but belongs to no agent (any more). */
export async function removeOrphan(deps: LifecycleDeps, id: string, actor: string) {
  const libpod = await deps.libpod();
  const live = await libpod.inspectContainer(id);
  const labels = live?.Config.Labels ?? {};
  if (!live || labels[homeLabel] !== deps.homeId) {
    throw new AppError("NOT_FOUND", `No container ${id.slice(0, 12)} of this panel`);
  }
  const agent = labels["claw.agent"];
  if (agent && (await deps.db.agent.findUnique({ where: { name: agent } }))) {
    throw new AppError("CONFLICT", `${live.Name} belongs to the agent ${agent}; it is not an orphan`, {
      fix: `Use the agent's own stop or delete.`,
    });
  }
  await libpod.removeContainer(live.Id, { force: true });
  await deps.audit.record({
    category: "lifecycle",
    action: "orphan_removed",
    actor,
    agent: agent ?? null,
    outcome: "ok",
    details: { containerId: live.Id, name: live.Name, state: live.State.Status },
  });
  deps.changed();
  return { id: live.Id };
}
