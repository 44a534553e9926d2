/**
 * Requests a known program makes on its own and gets on without when refused: their denials are
 * expected, shown grey with the reason and left out of the red count, and never proposed for the
 * allowlist (allowing one is a person's choice, through the preset named in the note).
 */
export type ExpectedDenial = { host: string; port: number; note: string };

export const expectedDenials: readonly ExpectedDenial[] = [
  // The Gateway fetches its plugin catalog feed once at start and falls back to the catalog it
  // ships with; no setting turns the fetch off. Egress to a third-party hub stays closed.
  {
    host: "clawhub.ai",
    port: 443,
    note: "OpenClaw's plugin catalog; it uses the bundled one. Add the openclaw-hub preset to allow it.",
  },
];

/** Pure: the expected denial `host:port` is, if it is one. */
export function expectedDenialOf(host: string, port: number): ExpectedDenial | undefined {
  const name = host.toLowerCase().replace(/\.$/, "");
  return expectedDenials.find((entry) => entry.host === name && entry.port === port);
}
