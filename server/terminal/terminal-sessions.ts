import { randomBytes } from "node:crypto";
import {
  highWatermark,
  lowWatermark,
  type ServerControl,
  type TerminalProfile,
} from "../../shared/terminal-protocol";
import type { AuditLog } from "../audit/audit-log";
import type { Libpod } from "../podman/libpod";

/** One browser tab (or CLI) attached to a terminal; the WebSocket adapter implements it. */
export type TerminalClient = {
  /** Terminal output, as raw bytes. */
  output(data: Buffer): void;
  control(message: ServerControl): void;
  /** `replaced`: another window re-attached (the client must not fight it for the terminal). */
  close(why?: "ended" | "replaced"): void;
};

export type TerminalInfo = {
  id: string;
  agent: string;
  profile: TerminalProfile;
  owner: string;
  startedAt: string;
  attached: boolean;
};

export type TerminalSession = {
  readonly info: TerminalInfo;
  input(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** The client has written this many more bytes of output to its screen. */
  ack(bytes: number): void;
  detach(client: TerminalClient): void;
  /** Swaps in a new client: the scrollback goes first, then live output. */
  reattach(client: TerminalClient): void;
  close(reason: string): void;
};

export type TerminalManager = {
  open(input: {
    agent: string;
    containerId: string;
    profile: TerminalProfile;
    args: string[];
    owner: string;
    cols: number;
    rows: number;
    client: TerminalClient;
  }): Promise<TerminalSession>;
  /** Re-attaches a client to a terminal of the same owner: the scrollback is replayed first. */
  attach(terminalId: string, owner: string, client: TerminalClient): TerminalSession | undefined;
  list(agent?: string): TerminalInfo[];
  /** Ends every terminal of an agent (it stopped), or all of them (shutdown). */
  closeAll(agent?: string, reason?: string): void;
};

/** Scrollback kept for a re-attach, and how long a detached terminal waits for one. */
export const scrollbackBytes = 256 * 1024;
export const detachedGraceMs = 60_000;

/** Pure: the command a profile runs. */
export function profileCommand(profile: TerminalProfile, args: string[]): string[] {
  if (profile === "shell") return ["/bin/bash", "-l"];
  if (profile === "tui") return ["openclaw", "tui"];
  return ["openclaw", ...args];
}

/** Pure: a byte ring that keeps the newest `limit` bytes. */
export function createScrollback(limit = scrollbackBytes) {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk: Buffer) {
      chunks.push(chunk);
      size += chunk.length;
      // Whole chunks go while the rest still fills the limit; then the oldest is cut.
      while (chunks.length > 1 && size - (chunks[0]?.length ?? 0) >= limit)
        size -= chunks.shift()?.length ?? 0;
      if (size > limit && chunks[0]) {
        chunks[0] = chunks[0].subarray(size - limit);
        size = limit;
      }
    },
    contents: () => Buffer.concat(chunks),
    clear() {
      chunks = [];
      size = 0;
    },
  };
}

function hangUp(pid: number) {
  try {
    process.kill(pid, "SIGHUP");
    setTimeout(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }, 2_000).unref();
  } catch {}
}

export function createTerminalManager(deps: {
  libpod: () => Promise<Libpod>;
  audit: AuditLog;
}): TerminalManager {
  const sessions = new Map<string, TerminalSession>();

  return {
    async open(input) {
      const libpod = await deps.libpod();
      const id = randomBytes(9).toString("base64url");
      const started = Date.now();
      const command = profileCommand(input.profile, input.args);
      const recordTerminal = (action: string, details: Record<string, unknown>) =>
        deps.audit.record({
          category: "terminal",
          action,
          actor: input.owner,
          agent: input.agent,
          outcome: "ok",
          details: { terminalId: id, profile: input.profile, ...details },
        });
      // Recorded before the shell exists: a terminal the audit log cannot hold (a full disk) never opens.
      await recordTerminal("terminal_opened", { command });
      let exec: Awaited<ReturnType<Libpod["startExec"]>>;
      try {
        exec = await libpod.startExec(input.containerId, {
          command,
          tty: true,
          stdin: true,
          env: ["TERM=xterm-256color", "COLORTERM=truecolor"],
        });
      } catch (error) {
        const reason = `it could not start: ${error instanceof Error ? error.message : String(error)}`;
        await recordTerminal("terminal_closed", { durationMs: 0, exitCode: null, bytesOut: 0, reason }).catch(
          () => {},
        );
        throw error;
      }
      const { stream, resize } = exec;
      resize(input.cols, input.rows);
      const scrollback = createScrollback();
      let client: TerminalClient | undefined = input.client;
      let sent = 0;
      let acked = 0;
      let bytesOut = 0;
      let paused = false;
      let ended = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const info: TerminalInfo = {
        id,
        agent: input.agent,
        profile: input.profile,
        owner: input.owner,
        startedAt: new Date(started).toISOString(),
        attached: true,
      };

      const setPaused = (value: boolean) => {
        if (value === paused) return;
        paused = value;
        if (paused) stream.pause();
        else stream.resume();
      };
      // The exec stream is paused while nobody watches or the watcher falls behind: a flood such
      // as `yes` then waits in the kernel's pty buffer instead of in the panel's memory.
      const updateFlow = () =>
        setPaused(!client || sent - acked > highWatermark || (paused && sent - acked > lowWatermark));

      stream.on("data", (chunk: Buffer) => {
        bytesOut += chunk.length;
        scrollback.push(chunk);
        if (!client) return updateFlow();
        sent += chunk.length;
        client.output(chunk);
        updateFlow();
      });

      const finish = async (reason: string) => {
        if (ended) return;
        ended = true;
        if (graceTimer) clearTimeout(graceTimer);
        sessions.delete(id);
        // Podman runs the exec as a child of conmon, so the host can signal it by its pid.
        const details = await exec.inspect().catch(() => undefined);
        // The process may outlive its stream (a detached `yes`): hang it up, then kill it.
        if (details?.running && details.pid) hangUp(details.pid);
        const code = details && !details.running ? details.exitCode : null;
        client?.control({ type: "exit", code, reason });
        client?.close();
        client = undefined;
        stream.destroy();
        await recordTerminal("terminal_closed", {
          durationMs: Date.now() - started,
          exitCode: code,
          bytesOut,
          reason,
        }).catch(() => {});
      };
      stream.on("end", () => void finish("the program ended"));
      stream.on("close", () => void finish("the program ended"));
      stream.on("error", () => void finish("the connection to Podman broke"));

      const session: TerminalSession = {
        info,
        input(data) {
          if (!ended) stream.write(data);
        },
        resize,
        ack(bytes) {
          acked = Math.min(sent, acked + bytes);
          updateFlow();
        },
        detach(from) {
          if (client !== from) return;
          client = undefined;
          info.attached = false;
          updateFlow();
          graceTimer = setTimeout(() => void finish("nobody re-attached"), detachedGraceMs);
          graceTimer.unref();
        },
        reattach(next) {
          if (graceTimer) clearTimeout(graceTimer);
          client?.close("replaced");
          client = next;
          info.attached = true;
          const replay = scrollback.contents();
          sent = replay.length;
          acked = 0;
          next.control({ type: "ready", terminalId: id, replayed: replay.length });
          if (replay.length > 0) next.output(replay);
          updateFlow();
        },
        close: (reason) => void finish(reason),
      };
      sessions.set(id, session);
      input.client.control({ type: "ready", terminalId: id, replayed: 0 });
      return session;
    },

    attach(terminalId, owner, client) {
      const session = sessions.get(terminalId);
      if (!session || session.info.owner !== owner) return undefined;
      session.reattach(client);
      return session;
    },

    list(agent) {
      return [...sessions.values()].map((s) => s.info).filter((info) => !agent || info.agent === agent);
    },

    closeAll(agent, reason = "the panel is shutting down") {
      for (const session of [...sessions.values()]) {
        if (!agent || session.info.agent === agent) session.close(reason);
      }
    },
  };
}
