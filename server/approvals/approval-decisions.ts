import { z } from "zod";

/** What a person may answer to an approval request. */
export const approvalDecisionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("once") }),
  z.object({
    kind: z.literal("minutes"),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  }),
  z.object({ kind: z.literal("uses"), uses: z.number().int().min(1).max(10_000) }),
  z.object({ kind: z.literal("until_stop") }),
  z.object({ kind: z.literal("always") }),
  z.object({ kind: z.literal("deny"), reason: z.string().trim().max(300).optional() }),
]);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** Where a decision came from: the audit log names the channel beside the actor. */
export const approvalChannels = ["panel", "cli", "telegram", "system"] as const;
export type ApprovalChannel = (typeof approvalChannels)[number];

export const approvalStatuses = ["pending", "allowed", "denied", "expired"] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/** Pure: a decision in a few words ("allowed for 10 minutes"). */
export function describeDecision(decision: ApprovalDecision): string {
  switch (decision.kind) {
    case "once":
      return "allowed once";
    case "minutes":
      return `allowed for ${decision.minutes} minute${decision.minutes === 1 ? "" : "s"}`;
    case "uses":
      return `allowed for ${decision.uses} connection${decision.uses === 1 ? "" : "s"}`;
    case "until_stop":
      return "allowed until the agent stops";
    case "always":
      return "allowed always (added to the agent's allowlist)";
    case "deny":
      return decision.reason ? `denied: ${decision.reason}` : "denied";
  }
}

/**
 * Pure: a duration as the CLI takes it (`90s`, `10m`, `2h`, `1d`, or plain minutes) in whole
 * minutes, rounded up; undefined when it is not one.
 */
export function parseMinutes(text: string): number | undefined {
  const match = /^(\d{1,6})\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? "").toLowerCase();
  const minutes =
    unit === "s" ? Math.ceil(value / 60) : unit === "h" ? value * 60 : unit === "d" ? value * 1440 : value;
  return minutes >= 1 ? minutes : undefined;
}

/** Pure: the allowlist entry that lets `host:port` through (the port only when it is not 443 or 80). */
export function allowlistEntry(host: string, port: number): string {
  return port === 443 || port === 80 ? host : `${host}:${port}`;
}
