import type { PanelServices } from "../panel/panel-services";
import type { AgentDeps } from "./create-agent";

/** Whether Podman is rootless does not change while the panel runs; asking costs a `podman info`. */
const rootlessOf = new WeakMap<PanelServices["podman"], boolean>();

/** The agent services' view of the panel: Podman answers for images and rootless-ness. */
export function agentDepsOf(services: PanelServices): AgentDeps {
  return {
    paths: services.paths,
    db: services.db,
    audit: services.audit,
    hostKey: services.hostKey,
    async imageDigest(ref) {
      try {
        const { docker } = await services.podman.get();
        return (await docker.getImage(ref).inspect()).Id;
      } catch {
        return undefined; // not built yet, or Podman not reachable: the lock says "unbuilt"
      }
    },
    async host() {
      let rootless = rootlessOf.get(services.podman);
      if (rootless === undefined) {
        const status = await services.podman.status();
        rootless = status.rootless ?? process.getuid?.() !== 0;
        if (status.reachable) rootlessOf.set(services.podman, rootless);
      }
      return { rootless, panelPort: services.config.port };
    },
  };
}
