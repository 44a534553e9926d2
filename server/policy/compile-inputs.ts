// What the two compilers (compile-container-spec.ts, compile-openclaw-config.ts) both take and
// agree on: the host and image an agent is compiled for, and the env names its secrets travel under.

export type HostFacts = {
  rootless: boolean;
  /** The panel's port: the Gateway's Control UI accepts the panel's origin only. */
  panelPort: number;
};

export type ImageRef = { ref: string; digest: string };

/**
 * Env names for the secrets. Not the standard TELEGRAM_BOT_TOKEN: OpenClaw switches a channel on by
 * itself when it sees that, whatever the config says. (Model keys never enter a container.)
 */
export const secretEnvNames = {
  gatewayToken: "OPENCLAW_GATEWAY_TOKEN",
  telegramBotToken: "CLAW_TELEGRAM_BOT_TOKEN",
  /** The Gateway's `/hooks` token: the panel posts job-end notices with it. */
  hooksToken: "CLAW_HOOKS_TOKEN",
} as const;
