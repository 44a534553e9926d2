import {
  type ClientMessage,
  parseServerControl,
  type TerminalProfile,
  terminalSocketTarget,
} from "../shared/terminal-protocol";
import { CliError, exitCodes } from "./cli-error";
import type { PanelConnection } from "./panel-client";

/**
 * `claw exec -it NAME [-- CMD…]`: this terminal, raw, attached through the panel exactly as a
 * browser tab is (ticket, WebSocket, resize, acks). Resolves with the program's exit code.
 */
export async function runInteractive(
  panel: PanelConnection,
  agent: string,
  command: string[],
): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY)
    throw new CliError("-it needs a terminal; without one use `claw exec NAME -- CMD`", exitCodes.usage);
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const profile: TerminalProfile = command[0] === "openclaw" ? "openclaw" : "shell";
  const { ticket, reason } = await panel.client.terminal.open.mutate({
    agent,
    profile,
    args: profile === "openclaw" ? command.slice(1) : [],
    ...size(),
  });
  if (!ticket) throw new CliError(reason ?? "No terminal", exitCodes.failed);
  if (command.length > 0 && command[0] !== "openclaw") {
    throw new CliError(
      "-it runs a shell or `openclaw …`; for other commands use `claw exec NAME -- CMD`",
      exitCodes.usage,
    );
  }
  const ws = panel.webSocket(terminalSocketTarget(ticket));
  const send = (message: ClientMessage) => ws.send(JSON.stringify(message));
  return new Promise((resolve, reject) => {
    let exitCode: number | null = null;
    const restore = () => {
      stdin.setRawMode(false);
      stdin.pause();
    };
    ws.on("unexpected-response", (_req, res) => {
      reject(new CliError(`The panel refused the terminal (HTTP ${res.statusCode})`, exitCodes.failed));
    });
    ws.on("error", (error) => reject(new CliError(error.message, exitCodes.failed)));
    ws.on("open", () => {
      stdin.setRawMode(true);
      stdin.resume();
      stdin.on("data", (data: Buffer) => send({ type: "input", data: data.toString("utf8") }));
      stdout.on("resize", () => send({ type: "resize", ...size() }));
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        const chunk = data as Buffer;
        stdout.write(chunk, () => send({ type: "ack", bytes: chunk.length }));
        return;
      }
      const control = parseServerControl(String(data));
      if (control?.type === "exit") {
        exitCode = control.code;
        if (control.code === null) process.stderr.write(`\r\nclaw: ${control.reason}\r\n`);
      }
    });
    ws.on("close", () => {
      restore();
      resolve(exitCode ?? exitCodes.failed);
    });
  });
}
