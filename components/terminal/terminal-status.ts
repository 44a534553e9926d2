/** The browser's side of `/ws/terminal`: message shapes and the small pure rules around them. */

export type TerminalProfile = "shell" | "tui" | "openclaw";

export type ServerControl =
  | { type: "ready"; terminalId: string; replayed: number }
  | { type: "exit"; code: number | null; reason: string };

export type ClientMessage =
  | { type: "input"; data: string }
  | { type: "resize"; cols: number; rows: number }
  | { type: "ack"; bytes: number }
  | { type: "close" };

/** The server's close code when another window re-attached to the terminal. */
export const replacedCloseCode = 4001;

export type TerminalStatus =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number }
  | { kind: "ended"; code: number | null; reason: string; fix?: string };

/** Acknowledge written output at this many bytes, or after `ackIntervalMs`, whichever comes first. */
export const ackThresholdBytes = 64 * 1024;
export const ackIntervalMs = 100;
/** Waits before each re-attach try after the socket dropped; one entry per try. */
export const reconnectDelaysMs = [500, 1_000, 2_000, 4_000, 4_000];

export function terminalSocketUrl(location: { protocol: string; host: string }, ticket: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/terminal?ticket=${encodeURIComponent(ticket)}`;
}

/** A text frame from the server, or undefined for anything this client does not know. */
export function parseServerControl(text: string): ServerControl | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object" || !("type" in value)) return undefined;
  const message = value as Record<string, unknown>;
  if (message.type === "ready" && typeof message.terminalId === "string") {
    return {
      type: "ready",
      terminalId: message.terminalId,
      replayed: typeof message.replayed === "number" ? message.replayed : 0,
    };
  }
  if (message.type === "exit") {
    return {
      type: "exit",
      code: typeof message.code === "number" ? message.code : null,
      reason: typeof message.reason === "string" ? message.reason : "the terminal ended",
    };
  }
  return undefined;
}

/** `openclaw` arguments as typed: split on whitespace, no shell quoting. */
export function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** "shell 2", "tui 1", "openclaw agents list": what a terminal's tab says. */
export function terminalLabel(profile: TerminalProfile, args: string[], ordinal: number): string {
  if (profile === "openclaw") return ["openclaw", ...args].join(" ");
  return `${profile} ${ordinal}`;
}

/** The line written into the terminal when it ends. */
export function exitLine(code: number | null, reason: string): string {
  return code === null ? `[${reason}]` : `[process exited with code ${code}]`;
}

export function statusLabel(status: TerminalStatus): string {
  switch (status.kind) {
    case "connecting":
      return "connecting…";
    case "live":
      return "live";
    case "reconnecting":
      return "reconnecting…";
    case "ended":
      return status.code === null ? "ended" : `ended (${status.code})`;
  }
}
