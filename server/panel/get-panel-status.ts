import type { PanelServices } from "./panel-services";

export async function getPanelStatus(services: PanelServices) {
  const podman = await services.podman.status();
  return {
    panel: {
      version: services.version,
      startedAt: services.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
      url: `http://127.0.0.1:${services.config.port}`,
      home: services.paths.home,
      pid: process.pid,
    },
    podman,
  };
}

export type PanelStatus = Awaited<ReturnType<typeof getPanelStatus>>;
