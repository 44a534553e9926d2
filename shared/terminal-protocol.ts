import { z } from "zod";

/**
 * `/ws/terminal`, written once for its three parties: the panel, the browser's xterm and
 * `claw exec -it`. A client asks `terminal.open` for a one-time ticket, then opens the socket with it.
 * Binary frames carry output (server → client) and input (client → server); text frames carry JSON:
 * `input`, `resize`, `ack` and `close` from the client, `ready` and `exit` from the server. The client
 * acks output once written, which paces the program. Imported by server, browser and CLI alike, so
 * it imports nothing of theirs.
 */

export const terminalProfiles = ["shell", "tui", "openclaw"] as const;
export type TerminalProfile = (typeof terminalProfiles)[number];

const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(2).max(500);

/** `terminal.open`: a ticket for a new terminal, or for re-attaching to one of this login's. */
export const openTerminalSchema = z.object({
  agent: z.string().min(1).max(64),
  profile: z.enum(terminalProfiles).default("shell"),
  /** `openclaw` arguments, as an argument vector (never a shell string). */
  args: z.array(z.string().max(4096)).max(64).default([]),
  /** An existing terminal to re-attach to (after a network blip), or a new one. */
  terminalId: z.string().max(32).optional(),
  cols,
  rows,
});
export type OpenTerminalRequest = z.output<typeof openTerminalSchema>;

export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), data: z.string().max(1024 * 1024) }),
  z.object({ type: z.literal("resize"), cols, rows }),
  z.object({
    type: z.literal("ack"),
    bytes: z
      .number()
      .int()
      .min(0)
      .max(1 << 30),
  }),
  /** Ends the program now, rather than after the re-attach grace. */
  z.object({ type: z.literal("close") }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// Lenient on the fields: a client shows what it can of a frame rather than dropping it.
export const serverControlSchema = z.discriminatedUnion("type", [
  /** The terminal is live; `replayed` bytes of scrollback follow (a re-attach). */
  z.object({ type: z.literal("ready"), terminalId: z.string(), replayed: z.number().catch(0) }),
  /** The program ended (`code`), or the terminal could not be opened or went away (`code` null). */
  z.object({
    type: z.literal("exit"),
    code: z.number().nullable().catch(null),
    reason: z.string().catch("the terminal ended"),
  }),
]);
export type ServerControl = z.infer<typeof serverControlSchema>;

/** Close codes of `/ws/terminal`, besides the generic ones. */
export const terminalCloseCodes = {
  /** The terminal ended (an `exit` frame came first). */
  ended: 1000,
  /** No terminal could be opened or re-attached (an `exit` frame says why). */
  failed: 1011,
  /** Another window re-attached to the terminal: the client must not fight it for the terminal. */
  replaced: 4001,
} as const;

/**
 * Flow control (after ttyd): the server pauses the program while more than `highWatermark` bytes
 * of output are unacknowledged and resumes it below `lowWatermark`. A client acks written output at
 * `ackThresholdBytes`, or after `ackIntervalMs`, whichever comes first.
 */
export const highWatermark = 512 * 1024;
export const lowWatermark = 128 * 1024;
export const ackThresholdBytes = 64 * 1024;
export const ackIntervalMs = 100;

export const terminalSocketPath = "/ws/terminal";

/** The socket's path and query for a ticket, as the CLI (over the panel's Unix socket) opens it. */
export function terminalSocketTarget(ticket: string): string {
  return `${terminalSocketPath}?ticket=${encodeURIComponent(ticket)}`;
}

/** The socket's URL from a browser page at `location`. */
export function terminalSocketUrl(location: { protocol: string; host: string }, ticket: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${terminalSocketTarget(ticket)}`;
}

function parseJsonFrame<T>(schema: z.ZodType<T>, text: string): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A text frame from a client, or undefined for anything malformed (dropped, never fatal). */
export function parseClientMessage(text: string): ClientMessage | undefined {
  return parseJsonFrame(clientMessageSchema, text);
}

/** A text frame from the server, or undefined for anything this client does not know. */
export function parseServerControl(text: string): ServerControl | undefined {
  return parseJsonFrame(serverControlSchema, text);
}
