import { randomBytes } from "node:crypto";
import type { OpenTerminalRequest } from "../../shared/terminal-protocol";

/**
 * What a ticket lets its holder do: open (or re-attach to) one terminal, once, from one login.
 * `owner` is `panel:<session>` or `cli`: the WebSocket must come from the same one.
 */
export type TicketClaim = OpenTerminalRequest & { owner: string };

export type TicketStore = {
  issue(claim: TicketClaim): { ticket: string; expiresAt: string };
  /** The claim, once: a second redeem, an expired ticket or another owner get undefined. */
  redeem(ticket: string, owner: string): TicketClaim | undefined;
};

export function createTicketStore(options: { ttlMs?: number; now?: () => number } = {}): TicketStore {
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const tickets = new Map<string, { claim: TicketClaim; expires: number }>();
  const sweep = () => {
    for (const [ticket, entry] of tickets) if (entry.expires <= now()) tickets.delete(ticket);
  };
  return {
    issue(claim) {
      sweep();
      const ticket = randomBytes(24).toString("base64url");
      const expires = now() + ttlMs;
      tickets.set(ticket, { claim, expires });
      return { ticket, expiresAt: new Date(expires).toISOString() };
    },
    redeem(ticket, owner) {
      const entry = tickets.get(ticket);
      tickets.delete(ticket); // single use, whatever the outcome
      if (!entry || entry.expires <= now() || entry.claim.owner !== owner) return undefined;
      return entry.claim;
    },
  };
}
