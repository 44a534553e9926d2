/** What a terminal's tab shows of it: its state, its label, its last line. The protocol is `shared/`'s. */
import type { TerminalProfile } from "@/shared/terminal-protocol";

export type TerminalStatus =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number }
  | { kind: "ended"; code: number | null; reason: string; fix?: string };

/** Waits before each re-attach try after the socket dropped; one entry per try. */
export const reconnectDelaysMs = [500, 1_000, 2_000, 4_000, 4_000];

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
