import { randomBytes } from "node:crypto";

const base32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * `j-` jobs, `s-` job sessions, `p-` pairings, `g-` access grants, `ap-` approval requests, `gr-`
 * egress grants: 10 random base-32 characters (50 bits).
 */
export function newShortId(prefix: "j" | "s" | "p" | "g" | "ap" | "gr"): string {
  const bytes = randomBytes(10);
  return `${prefix}-${[...bytes].map((byte) => base32[byte % 32]).join("")}`;
}
