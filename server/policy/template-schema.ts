import { z } from "zod";
import { egressPresetNames } from "./egress-presets";
import { modelProviders } from "./model-route";

/** Lowercase DNS label: what agent and template names must be (no dots, slashes or `..`). */
export const dnsLabel = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and '-', starting with a letter");

export const networkProfiles = ["none", "restricted", "devops", "full"] as const;
export type NetworkProfile = (typeof networkProfiles)[number];
export const egressModes = ["deny", "ask", "learn"] as const;
export type EgressMode = (typeof egressModes)[number];

/** `host`, `*.suffix`, either with an optional `:port` (default 443 and 80). */
const hostPattern = String.raw`(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?`;

/**
 * An allowlist entry: `host`, `*.suffix` (either with `:port`), or a plain-HTTP rule with a method
 * and a path (`GET http://downloads.example.org/*`), which the proxy can check because it sees the
 * request line. HTTPS stays host:port: the proxy never looks inside TLS.
 */
export const egressRule = z
  .string()
  .regex(
    new RegExp(String.raw`^(${hostPattern}|([A-Z]+|\*) http://${hostPattern}/\S*)$`),
    "an egress rule is a host name or *.suffix with an optional :port, or METHOD http://host/path* for plain HTTP",
  );

export const byteSize = z
  .string()
  .regex(/^\d+(\.\d+)?[kmg]$/i, "a size like 512m or 2g")
  .transform((value) => {
    const unit = value.slice(-1).toLowerCase();
    const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : 1024 ** 3;
    return Math.round(Number.parseFloat(value) * factor);
  });

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "environment names are UPPER_SNAKE_CASE");

const openclawLayer = z.strictObject({
  identity: z.strictObject({ name: z.string().min(1).max(60), emoji: z.string().max(8).optional() }),
  /**
   * The one model the agent may use. It reaches it only through the panel's model gateway, which adds
   * the credential: no key enters the container.
   */
  model: z.strictObject({
    /** `anthropic`, or `openai` for any OpenAI-compatible server (OpenRouter, vLLM, LiteLLM, Ollama). */
    provider: z.enum(modelProviders),
    id: z.string().min(1).max(200),
    /** Where the panel forwards (default: the provider's API); may be a server on this machine's loopback. */
    baseUrl: z.url({ protocol: /^https?$/, error: "baseUrl is an http:// or https:// URL" }).optional(),
    /** The secret with the credential (default: anthropic-api-key / openai-api-key); null: none needed. */
    secret: dnsLabel.nullable().optional(),
    budget: z
      .strictObject({
        tokensPerDay: z.number().int().positive().optional(),
        requestsPerMinute: z.number().int().positive().max(10_000).optional(),
      })
      .default({}),
  }),
  tools: z.strictObject({
    profile: z.enum(["minimal", "coding", "messaging", "full"]),
    allow: z.array(z.string().min(1).max(60)).default([]),
    deny: z.array(z.string().min(1).max(60)).default([]),
  }),
  /** Whether a person must approve shell commands before they run. */
  approvals: z.strictObject({ exec: z.enum(["always", "never"]) }).default({ exec: "always" }),
  skills: z.array(z.string().min(1).max(80)).default([]),
  plugins: z.array(z.string().min(1).max(80)).default([]),
  channels: z.strictObject({ telegram: z.boolean().default(false) }).default({ telegram: false }),
  /** Written to the agent's AGENTS.md. */
  instructions: z.string().max(20_000).default(""),
});

const containerLayer = z.strictObject({
  image: z.string().min(1).max(200).default("localhost/claw-openclaw-agent:latest"),
  network: z.strictObject({
    profile: z.enum(networkProfiles),
    allow: z.array(egressRule).default([]),
    /** Named host groups (egress-presets.ts), expanded into the allowlist at compile time. */
    presets: z.array(z.enum(egressPresetNames)).default([]),
    /**
     * What the proxy does with a host off the list: `deny` it, `ask` a person live (holding the
     * connection), or `learn` (let it through and record it, to propose an allowlist later).
     */
    mode: z.enum(egressModes).default("deny"),
    /** How long a held connection waits for an answer in `ask` mode. */
    askTimeoutSeconds: z.number().int().min(5).max(600).default(60),
  }),
  resources: z.strictObject({
    memory: byteSize,
    cpus: z.number().positive().max(64),
    pids: z.number().int().min(32).max(65_536),
  }),
  mounts: z.strictObject({
    workspace: z.enum(["ro", "rw"]),
    state: z.enum(["ro", "rw"]).default("rw"),
  }),
  env: z.record(envName, z.string().max(4096)).default({}),
  /** Secrets by name only; values live 0600 under CLAW_HOME and reach the container as env at start. */
  secrets: z.array(z.strictObject({ env: envName, secret: dnsLabel })).default([]),
});

const jobsOff = {
  enabled: false,
  template: "default",
  maxConcurrent: 1,
  maxPerHour: 10,
  workspace: "session" as const,
  network: { profile: "none" as const, allow: [], mode: "deny" as const, askTimeoutSeconds: 60 },
};

/**
 * What the agent may hand to Claude Code through its agent API (the claude_code_* tools). Each job
 * runs in its own hardened container, with the job template's resources and limits and this network.
 */
const jobsLayer = z
  .strictObject({
    enabled: z.boolean(),
    /** A job template (`default`, or CLAW_HOME/templates/jobs/NAME.yaml): resources, timeouts, model. */
    template: dnsLabel.default("default"),
    maxConcurrent: z.number().int().min(1).max(16).default(jobsOff.maxConcurrent),
    maxPerHour: z.number().int().min(1).max(1000).default(jobsOff.maxPerHour),
    /** `agent`: the agent's own workspace is the job's /workspace; `session`: a fresh one per session. */
    workspace: z.enum(["agent", "session"]).default("session"),
    /** The jobs' network, instead of the job template's: by default only the model gateway. */
    network: z
      .strictObject({
        profile: z.enum(networkProfiles).default("none"),
        allow: z.array(egressRule).default([]),
        /** As the agent's: `ask` puts a host off the list to a person (the job's agent's people). */
        mode: z.enum(egressModes).default("deny"),
        askTimeoutSeconds: z.number().int().min(5).max(600).default(60),
      })
      .default(jobsOff.network),
  })
  .default(jobsOff);

/**
 * The rule every network section follows: `none`/`full` take no allowlist, presets or mode; the
 * others need a host to allow, unless they ask or learn.
 */
function checkAllowlist(
  network: { profile: NetworkProfile; allow: string[]; presets?: string[]; mode?: EgressMode },
  path: string[],
  ctx: z.RefinementCtx,
) {
  const { profile } = network;
  const allow = [...network.allow, ...(network.presets ?? [])];
  const mode = network.mode ?? "deny";
  if ((profile === "none" || profile === "full") && mode !== "deny") {
    ctx.addIssue({
      code: "custom",
      path: [...path, "mode"],
      message: `egress mode ${mode} needs the restricted or devops profile (the ${profile} profile has no egress proxy to ${mode === "ask" ? "ask through" : "record"})`,
    });
  }
  if ((profile === "none" || profile === "full") && allow.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "allow"],
      message: `the ${profile} profile takes no allowlist (it is ${profile === "none" ? "no network at all" : "the whole network"})`,
    });
  }
  if ((profile === "restricted" || profile === "devops") && allow.length === 0 && mode === "deny") {
    ctx.addIssue({
      code: "custom",
      path: [...path, "allow"],
      message: `the ${profile} profile needs at least one allowed host or preset (or mode: ask)`,
    });
  }
}

export const templateSchema = z
  .strictObject({
    apiVersion: z.literal("claw/v1"),
    kind: z.literal("AgentTemplate"),
    metadata: z.strictObject({ name: dnsLabel, description: z.string().min(1).max(300) }),
    openclaw: openclawLayer,
    container: containerLayer,
    jobs: jobsLayer,
  })
  .superRefine((template, ctx) => {
    checkAllowlist(template.container.network, ["container", "network"], ctx);
    if (template.jobs.enabled) checkAllowlist(template.jobs.network, ["jobs", "network"], ctx);
    if (
      template.jobs.enabled &&
      template.jobs.workspace === "agent" &&
      template.container.mounts.workspace === "ro"
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["jobs", "workspace"],
        message:
          "jobs cannot write the agent's workspace when the agent itself may only read it: use workspace: session, or mount the workspace rw",
      });
    }
    const both = template.openclaw.tools.allow.filter((tool) => template.openclaw.tools.deny.includes(tool));
    if (both.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["openclaw", "tools"],
        message: `tools both allowed and denied: ${both.join(", ")}`,
      });
    }
  });

/** A template as written (sizes as text) and as parsed (sizes in bytes, defaults filled in). */
export type TemplateInput = z.input<typeof templateSchema>;
export type Template = z.output<typeof templateSchema>;
