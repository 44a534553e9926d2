import type { PanelServices } from "../panel/panel-services";
import type { AgentDeps } from "./create-agent";

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
      const status = await services.podman.status();
      return { rootless: status.rootless ?? process.getuid?.() !== 0, panelPort: services.config.port };
    },
  };
}
