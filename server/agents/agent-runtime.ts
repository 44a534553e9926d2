import { createHash } from "node:crypto";
import type { EgressProxies } from "../egress/egress-proxies";
import type { PanelServices } from "../panel/panel-services";
import { agentDepsOf } from "./agent-deps";
import { agentFilePaths, readContainerSpec } from "./agent-files";
import type { LifecycleDeps } from "./agent-lifecycle";
import type { AgentStatusTracker } from "./agent-status";
import type { GatewayProxies } from "./gateway-proxy";
import type { GatewayTunnels } from "./gateway-tunnels";

/** The running side of agents, made once at start: live status and the Gateway ports. */
export type AgentRuntime = {
  homeId: string;
  status: AgentStatusTracker;
  gateways: GatewayProxies;
  /** The panel-owned sockets each agent's ingress bridge dials. */
  tunnels: GatewayTunnels;
  egress: EgressProxies;
};

/** Names this CLAW_HOME on its containers: several panels (tests) may share one Podman. */
export function homeIdOf(home: string): string {
  return createHash("sha256").update(home).digest("hex").slice(0, 12);
}

export function lifecycleDepsOf(services: PanelServices): LifecycleDeps {
  const { agents } = services;
  return {
    ...agentDepsOf(services),
    docker: async () => (await services.podman.get()).docker,
    homeId: agents.homeId,
    expectChange: (name) => agents.status.expectChange(name),
    changed: () => void agents.status.refresh().catch(() => {}),
    egress: agents.egress,
    ingress: agents.tunnels,
    endTerminals: (name, reason) => services.terminals.manager.closeAll(name, reason),
  };
}

/** For the status sweep: a running agent's ingress socket and egress proxy, restored after a panel restart. */
export function restoreAgentSockets(agentsDir: string, tunnels: GatewayTunnels, egress: EgressProxies) {
  return async (name: string) => {
    const files = agentFilePaths(agentsDir, name);
    await tunnels.ensure(name, files.ingressSocket);
    await egress.ensure(name, files.dir, await readContainerSpec(agentsDir, name));
  };
}
