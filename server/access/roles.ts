import { z } from "zod";

/** Each role can do what the ones before it can. */
export const roles = ["viewer", "operator", "admin"] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

export function roleAllows(role: string, needed: Role): boolean {
  const rank = roles.indexOf(role as Role);
  return rank >= 0 && rank >= roles.indexOf(needed);
}

/** What each role adds, for the panel's role picker and the bot's /help. */
export const roleDescriptions: Record<Role, string> = {
  viewer: "list their agents and see an agent's status",
  operator:
    "also start and stop the agent and read its logs (running Claude Code jobs is a right of its own)",
  admin: "also see and revoke who else has access to the agent",
};
