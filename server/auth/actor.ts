/** Who made a request: the browser through a session, or the CLI with the panel token. */
export type Actor = { kind: "panel"; sessionId: string } | { kind: "cli" };

/** The actor as the audit log will name it: `panel:<session>` (a short prefix of its hash) or `cli`. */
export function actorLabel(actor: Actor): string {
  return actor.kind === "panel" ? `panel:${actor.sessionId.slice(0, 12)}` : "cli";
}
