import type { HostFacts, ImageRef } from "./compile-container-spec";
import type { Template } from "./template-schema";

export type OpenclawConfig = Record<string, unknown>;

/** The Gateway's port on the container's own loopback; the ingress bridge forwards to it. */
export const gatewayPort = 18789;

/**
 * openclaw.json for the real OpenClaw runtime: local Gateway on loopback behind the panel, token
 * auth from the environment (never a literal), no host terminal, no update checks, no heartbeat,
 * no sandbox of its own (the container is the sandbox), and the agent's tools policy.
 */
export function compileOpenclawConfig(input: {
  template: Template;
  agent: string;
  image: ImageRef;
  host: HostFacts;
}): OpenclawConfig {
  const { template, agent } = input;
  const tools = template.openclaw.tools;
  return {
    gateway: {
      mode: "local",
      port: gatewayPort,
      bind: "loopback",
      auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" },
      controlUi: { basePath: `/agents/${agent}/gateway` },
    },
    update: { checkOnStart: false },
    agents: {
      defaults: { workspace: "/workspace", sandbox: { mode: "off" }, heartbeat: { every: "0m" } },
      list: [
        {
          id: agent,
          default: true,
          name: template.openclaw.identity.name,
          workspace: "/workspace",
          model: `${template.openclaw.model.provider}/${template.openclaw.model.id}`,
          tools: { profile: tools.profile, allow: tools.allow, deny: tools.deny },
        },
      ],
    },
  };
}

export type ToolPolicy = {
  profile: string;
  allow: string[];
  deny: string[];
  execApproval: string;
  telegram: boolean;
};

/** Reads the tools policy back out of a compiled config: the one other place that knows its shape. */
export function toolPolicyOf(config: unknown): ToolPolicy | undefined {
  const entry = (config as { agents?: { list?: { tools?: Partial<ToolPolicy> }[] } })?.agents?.list?.[0];
  const tools = entry?.tools;
  if (!tools?.profile) return undefined;
  return {
    profile: tools.profile,
    allow: tools.allow ?? [],
    deny: tools.deny ?? [],
    execApproval: "always",
    telegram: false,
  };
}
