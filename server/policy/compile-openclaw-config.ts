import {
  agentApiSocketInContainer,
  agentJobsOf,
  claudeCodePluginId,
  claudeCodePluginPath,
  claudeCodeTools,
} from "./agent-jobs";
import { type HostFacts, type ImageRef, secretEnvNames } from "./compile-inputs";
import { inContainerBaseUrl, modelPlaceholderKey } from "./model-route";
import type { Template } from "./template-schema";

/** Re-exported: agent-lifecycle takes it from here. */

export type OpenclawConfig = Record<string, unknown>;

/** The Gateway's port on the container's own loopback; the ingress bridge forwards to it. */
export const gatewayPort = 18789;

/** OpenClaw's secret reference: the value is read from the container's environment at run time. */
const fromEnv = (id: string) => ({ source: "env", provider: "default", id });

/**
 * Never offered to a claw agent unless its template allows one by name: desktop and device
 * control, self-administration of OpenClaw, and remote code runners.
 */
export const alwaysDeniedTools = [
  "automations",
  "browser",
  "canvas",
  "code_execution",
  "computer",
  "dashboard",
  "gateway",
  "mobile_ui",
  "nodes",
  "openclaw",
  "plugins",
  "portal",
  "screen",
  "secrets",
  "show_widget",
  "skill_workshop",
  "terminal",
];

export type ExecMode = "full" | "ask" | "deny";

export function execModeOf(template: Template): ExecMode {
  const { allow, deny } = template.openclaw.tools;
  if (!allow.includes("exec") || deny.includes("exec")) return "deny";
  return template.openclaw.approvals.exec === "always" ? "ask" : "full";
}

/**
 * openclaw.json for the real OpenClaw runtime: local Gateway on loopback behind the panel, token
 * auth from the environment (never a literal), no host terminal, no update checks or telemetry,
 * no heartbeat, no sandbox of its own (the container is the sandbox), and the agent's tools.
 */
export function compileOpenclawConfig(input: {
  template: Template;
  agent: string;
  image: ImageRef;
  host: HostFacts;
}): OpenclawConfig {
  const { template, agent, host } = input;
  const { tools, model, identity, channels } = template.openclaw;
  const deny = [
    ...new Set([...alwaysDeniedTools.filter((tool) => !tools.allow.includes(tool)), ...tools.deny]),
  ].sort();
  const telegram = channels.telegram;
  const jobs = agentJobsOf(template) !== null;
  const allow = [...new Set([...tools.allow, ...(jobs ? claudeCodeTools : [])])].sort();
  return {
    gateway: {
      mode: "local",
      port: gatewayPort,
      bind: "loopback",
      auth: { mode: "token", token: fromEnv(secretEnvNames.gatewayToken) },
      terminal: { enabled: false },
      controlUi: {
        basePath: `/agents/${agent}/gateway`,
        allowedOrigins: [`http://127.0.0.1:${host.panelPort}`, `http://localhost:${host.panelPort}`],
      },
    },
    update: { checkOnStart: false, auto: { enabled: false } },
    telemetry: { enabled: false },
    discovery: { mdns: { mode: "off" } },
    browser: { enabled: false },
    commands: { bash: false, config: false, mcp: false, plugins: false, debug: false, restart: false },
    models: {
      catalogRefresh: { enabled: false },
      providers: {
        // The panel's model gateway on the container's loopback: it adds the real key, so OpenClaw
        // holds only a placeholder.
        [model.provider]: {
          baseUrl: inContainerBaseUrl(model.provider),
          // Explicit: without it OpenClaw sends utility calls to an OpenAI-style endpoint.
          api: model.provider === "anthropic" ? "anthropic-messages" : "openai-completions",
          apiKey: modelPlaceholderKey,
        },
      },
    },
    plugins: {
      // An explicit list: otherwise some forty bundled plugins load.
      allow: [
        ...new Set([
          model.provider,
          "memory-core",
          ...(telegram ? ["telegram"] : []),
          ...(jobs ? [claudeCodePluginId] : []),
          ...template.openclaw.plugins,
        ]),
      ],
      // The claude_code_* tools, only for an agent whose policy allows jobs: the plugin in the image
      // calls the panel's agent API on its socket, which knows the agent by the socket alone.
      ...(jobs ? { load: { paths: [claudeCodePluginPath] } } : {}),
      entries: {
        // memory-core's "dreaming" schedules model calls of its own.
        "memory-core": { config: { dreaming: { enabled: false } } },
        ...(jobs
          ? {
              [claudeCodePluginId]: {
                enabled: true,
                config: { socketPath: agentApiSocketInContainer },
              },
            }
          : {}),
      },
    },
    // The panel tells the agent when one of its jobs ends, on /hooks/wake with a token it holds.
    // OpenClaw takes no secret reference here, only a plain string or an env template.
    ...(jobs ? { hooks: { enabled: true, path: "/hooks", token: `\${${secretEnvNames.hooksToken}}` } } : {}),
    // Tool Search would hide the claude_code_* tools behind tool_search/tool_call (it cannot be set
    // per agent): an agent that may start jobs is shown them directly, as the original plugin's were.
    tools: { elevated: { enabled: false }, ...(jobs ? { toolSearch: false } : {}) },
    agents: {
      defaults: { skipBootstrap: true, heartbeat: { every: "0m" }, sandbox: { mode: "off" } },
      entries: {
        [agent]: {
          name: identity.name,
          workspace: "/workspace",
          model: `${model.provider}/${model.id}`,
          // Empty: titles go to the main model and no hidden "recap" calls go to a second one.
          utilityModel: "",
          decisionModel: "",
          identity: { name: identity.name, ...(identity.emoji ? { emoji: identity.emoji } : {}) },
          sandbox: { mode: "off" },
          heartbeat: { every: "0m" },
          skills: template.openclaw.skills,
          tools: {
            profile: tools.profile,
            allow,
            deny,
            exec: { mode: execModeOf(template) },
            fs: { workspaceOnly: true },
          },
        },
      },
    },
    ...(telegram
      ? {
          channels: {
            telegram: {
              enabled: true,
              botToken: fromEnv(secretEnvNames.telegramBotToken),
              // Who may message the agent is decided by claw's pairing; OpenClaw gets the allowlist.
              dmPolicy: "allowlist",
              allowFrom: [],
              groupPolicy: "disabled",
            },
          },
          bindings: [{ agentId: agent, match: { channel: "telegram" } }],
        }
      : {}),
  };
}

export type ToolPolicy = {
  profile: string;
  allow: string[];
  deny: string[];
  execMode: ExecMode;
  telegram: boolean;
};

/** Reads the tools policy back out of a compiled config: the one other place that knows its shape. */
export function toolPolicyOf(config: unknown): ToolPolicy | undefined {
  const typed = config as {
    agents?: {
      entries?: Record<
        string,
        { tools?: { profile?: string; allow?: string[]; deny?: string[]; exec?: { mode?: ExecMode } } }
      >;
    };
    channels?: { telegram?: { enabled?: boolean } };
  };
  const tools = Object.values(typed?.agents?.entries ?? {})[0]?.tools;
  if (!tools?.profile) return undefined;
  return {
    profile: tools.profile,
    allow: tools.allow ?? [],
    deny: tools.deny ?? [],
    execMode: tools.exec?.mode ?? "deny",
    telegram: typed.channels?.telegram?.enabled === true,
  };
}
