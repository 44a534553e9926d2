/** Who made a request: the browser through a session, or the CLI with the panel token. */
export type Actor = { kind: "panel"; sessionId: string } | { kind: "cli" };

/** The actor as the audit log names it: `panel:<session>` (a short prefix of its hash) or `cli`. */
export function actorLabel(actor: Actor): string {
  return actor.kind === "panel" ? panelActor(actor.sessionId) : "cli";
}

export function panelActor(sessionId: string): string {
  return `panel:${sessionId.slice(0, 12)}`;
}

/** A browser that has not logged in (a failed login). */
export const anonymousPanelActor = "panel:anonymous";
