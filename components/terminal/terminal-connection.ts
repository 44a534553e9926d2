import {
  ackIntervalMs,
  ackThresholdBytes,
  type ClientMessage,
  parseServerControl,
  terminalCloseCodes,
  terminalSocketUrl,
} from "@/shared/terminal-protocol";
import { exitLine, reconnectDelaysMs, type TerminalStatus } from "./terminal-status";

/** What the connection needs of xterm: somewhere to write, and the current size. */
export type TerminalScreen = {
  write(data: string | Uint8Array, callback?: () => void): void;
  readonly cols: number;
  readonly rows: number;
};

export type TicketRequest = { terminalId?: string; cols: number; rows: number };
export type TicketAnswer = { ticket: string | null; reason: string | null };

/** A refused ticket: the tRPC error's message and, where the server gave one, its fix. */
function describeError(error: unknown): { reason: string; fix?: string } {
  if (!(error instanceof Error)) return { reason: "The terminal could not be opened." };
  const data = (error as { data?: unknown }).data;
  const fix =
    data && typeof data === "object" && "fix" in data && typeof data.fix === "string" ? data.fix : undefined;
  return { reason: error.message, fix };
}

/**
 * Batches acknowledgements of written output: the server pauses the program when too much is
 * unacknowledged, so every byte is acked once xterm has drawn it, in batches to spare the socket.
 */
function createAckBatcher(send: (bytes: number) => void) {
  let pending = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending > 0 && !stopped) send(pending);
    pending = 0;
  };
  return {
    add(bytes: number) {
      if (stopped) return;
      pending += bytes;
      if (pending >= ackThresholdBytes) flush();
      else timer ??= setTimeout(flush, ackIntervalMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * One terminal's link to the panel: a ticket from `terminal.open`, then `/ws/terminal`. Output
 * goes to the screen and is acked once written; a dropped socket is re-attached with a new
 * ticket (the server replays the scrollback) until the program exits or the tries run out.
 */
export class TerminalConnection {
  private socket: WebSocket | undefined;
  private terminalId: string | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ended or disposed: nothing more happens. */
  private finished = false;

  constructor(
    private readonly screen: TerminalScreen,
    private readonly requestTicket: (request: TicketRequest) => Promise<TicketAnswer>,
    private readonly onStatus: (status: TerminalStatus) => void,
    private readonly onTerminalId: (terminalId: string) => void = () => {},
  ) {}

  start() {
    this.onStatus({ kind: "connecting" });
    void this.open();
  }

  input(data: string) {
    this.send({ type: "input", data });
  }

  /** xterm's binary strings (some mouse reports) are bytes, not text: they go as a binary frame. */
  binary(data: string) {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.send(Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff));
  }

  resize(cols: number, rows: number) {
    this.send({ type: "resize", cols, rows });
  }

  /** Ends the terminal from this side (the agent stopped): no reconnect, a last line on screen. */
  stop(reason: string) {
    this.end(null, reason);
  }

  /** The tab closed or the page left: close quietly. */
  dispose() {
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.send({ type: "close" }); // ends the program now rather than after the re-attach grace
    this.socket?.close(1000, "Closed");
    this.socket = undefined;
  }

  private send(message: ClientMessage) {
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  private async open() {
    const reattach = this.terminalId !== undefined;
    let answer: TicketAnswer;
    try {
      answer = await this.requestTicket({
        terminalId: this.terminalId,
        cols: this.screen.cols,
        rows: this.screen.rows,
      });
    } catch (error) {
      if (this.finished) return;
      if (reattach) return this.retry();
      const { reason, fix } = describeError(error);
      return this.end(null, reason, fix);
    }
    if (this.finished) return;
    if (!answer.ticket) return this.end(null, answer.reason ?? "That terminal has ended.");
    this.connect(answer.ticket, reattach);
  }

  private connect(ticket: string, reattach: boolean) {
    const socket = new WebSocket(terminalSocketUrl(window.location, ticket));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    let ready = false;
    let exited = false;
    const acks = createAckBatcher((bytes) => {
      const message: ClientMessage = { type: "ack", bytes };
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    });

    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (this.finished) return;
      if (typeof event.data !== "string") {
        const bytes = new Uint8Array(event.data);
        this.screen.write(bytes, () => acks.add(bytes.length));
        return;
      }
      const control = parseServerControl(event.data);
      if (control?.type === "ready") {
        ready = true;
        this.attempt = 0;
        this.terminalId = control.terminalId;
        this.onTerminalId(control.terminalId);
        // The scrollback replay that follows redraws the screen from the start. A reset sequence
        // rather than term.reset(): it takes effect after output still queued from the old socket.
        if (reattach) this.screen.write("\x1bc");
        this.onStatus({ kind: "live" });
        this.send({ type: "resize", cols: this.screen.cols, rows: this.screen.rows });
      } else if (control?.type === "exit") {
        exited = true;
        this.end(control.code, control.reason);
      }
    };

    socket.onclose = (event) => {
      acks.stop();
      if (this.socket === socket) this.socket = undefined;
      if (this.finished || exited) return;
      // A clean close of a live terminal without an exit: another window re-attached to it.
      // Taking it back would start a tug of war between the two.
      if (ready && (event.code === terminalCloseCodes.replaced || event.code === terminalCloseCodes.ended)) {
        return this.end(null, "this terminal was opened in another window");
      }
      if (!this.terminalId) return this.end(null, "the terminal could not be opened");
      this.retry();
    };
  }

  private retry() {
    const delay = reconnectDelaysMs[this.attempt];
    if (delay === undefined) return this.end(null, "the connection to the panel was lost");
    this.attempt += 1;
    this.onStatus({ kind: "reconnecting", attempt: this.attempt });
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private end(code: number | null, reason: string, fix?: string) {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.screen.write(`\r\n\x1b[90m${exitLine(code, reason)}\x1b[0m\r\n`);
    this.onStatus({ kind: "ended", code, reason, fix });
    this.socket?.close(1000, "Ended");
    this.socket = undefined;
  }
}
