import { join } from "node:path";
import type { ModelGateways } from "../models/model-gateways";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { modelSocketName } from "../policy/model-route";

/** An agent's model gateway, started from its locked spec before the container and closed after it. */
export type AgentModelGateways = {
  ensure(name: string, dir: string, spec: ContainerSpec): Promise<void>;
  close(name: string): Promise<void>;
};

export function agentModelGateways(models: ModelGateways): AgentModelGateways {
  return {
    async ensure(name, dir, spec) {
      const route = spec.model;
      if (!route) return models.close(`agent:${name}`);
      await models.ensure({ agent: name }, join(dir, route.socketDir, modelSocketName), async () => route);
    },
    close: (name) => models.close(`agent:${name}`),
  };
}
