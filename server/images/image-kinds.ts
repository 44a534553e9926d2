/** The images claw builds, named by their `claw.image` label; the first is the default build. */
export const imageKinds = ["openclaw-agent", "claude-code"] as const;

export type ImageKind = (typeof imageKinds)[number];
