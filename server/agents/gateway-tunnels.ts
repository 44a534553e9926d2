import { mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { AppError } from "../errors";
import { listenForContainer } from "../fs/listen-for-container";
import { createSerialQueue } from "../serial-queue";

/**
 * The panel's end of each agent's ingress: the panel listens on a Unix socket in a directory the
 * container sees read-only, and the bridge inside (claw-ingress.mjs) dials in and keeps idle
 * connections ready. The panel claims one per HTTP request or WebSocket. The panel never connects
 * to a path inside the container's reach, so the agent cannot point it at another socket on the
 * host (the Podman API, another agent); all it controls is what comes back on its own tunnels.
 */
export type GatewayTunnels = {
  /** Listens for this agent's bridge at `socketPath` (kept when already listening there). */
  ensure(name: string, socketPath: string): Promise<void>;
  /** A fresh tunnel to the agent's Gateway, waiting up to `timeoutMs` for the bridge to offer one. */
  claim(name: string, timeoutMs?: number): Promise<Socket>;
  close(name: string): Promise<void>;
  closeAll(): Promise<void>;
};

/** The bridge keeps 8 idle; more than this is a bridge misbehaving, and each costs a descriptor. */
const maxIdle = 16;
const defaultClaimTimeoutMs = 5_000;

type Waiter = { resolve: (socket: Socket) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type Listener = { socketPath: string; server: Server; idle: Socket[]; waiters: Waiter[] };

const mkdirOnce = (dir: string) =>
  mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });

export function createGatewayTunnels(): GatewayTunnels {
  const listeners = new Map<string, Promise<Listener>>();
  // ensure and close of one agent run one after another, so two callers never both listen.
  const serially = createSerialQueue();

  function offer(listener: Listener, socket: Socket) {
    const waiter = listener.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(socket);
      return;
    }
    if (listener.idle.length >= maxIdle) {
      socket.destroy();
      return;
    }
    listener.idle.push(socket);
    const drop = () => {
      const index = listener.idle.indexOf(socket);
      if (index >= 0) listener.idle.splice(index, 1);
    };
    socket.once("close", drop);
  }

  async function listen(socketPath: string): Promise<Listener> {
    // The agent's run/ingress. Not created recursively: an agent moved to the trash stays there.
    await mkdirOnce(dirname(socketPath));
    const listener: Listener = { socketPath, server: createServer(), idle: [], waiters: [] };
    listener.server.on("connection", (socket) => {
      socket.on("error", () => socket.destroy());
      offer(listener, socket);
    });
    await listenForContainer(listener.server, socketPath);
    listener.server.on("error", () => {});
    return listener;
  }

  async function closeNow(name: string) {
    const pending = listeners.get(name);
    listeners.delete(name);
    const listener = await pending?.catch(() => undefined);
    if (!listener) return;
    for (const socket of listener.idle.splice(0)) socket.destroy();
    for (const waiter of listener.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new AppError("UNAVAILABLE", `${name}'s Gateway is closed: the agent stopped`));
    }
    await new Promise<void>((resolve) => listener.server.close(() => resolve()));
    await rm(listener.socketPath, { force: true }).catch(() => {});
  }

  const close = (name: string) => serially(name, () => closeNow(name));

  return {
    ensure: (name, socketPath) =>
      serially(name, async () => {
        const existing = await listeners.get(name)?.catch(() => undefined);
        if (existing?.socketPath === socketPath && existing.server.listening) return;
        if (existing) await closeNow(name);
        const pending = listen(socketPath);
        listeners.set(name, pending);
        pending.catch(() => listeners.delete(name));
        await pending;
      }),
    async claim(name, timeoutMs = defaultClaimTimeoutMs) {
      const listener = await listeners.get(name)?.catch(() => undefined);
      if (!listener) {
        throw new AppError(
          "PRECONDITION_FAILED",
          `${name}'s Gateway is not reachable: the agent is not running`,
          {
            fix: `Start it with \`claw agents start ${name}\`.`,
          },
        );
      }
      // Anything the bridge sent before it was asked is not an answer to this request.
      for (let socket = listener.idle.shift(); socket; socket = listener.idle.shift()) {
        if (!socket.destroyed && socket.readableLength === 0) return socket;
        socket.destroy();
      }
      return new Promise<Socket>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          timer: setTimeout(() => {
            listener.waiters.splice(listener.waiters.indexOf(waiter), 1);
            reject(
              new AppError(
                "UNAVAILABLE",
                `${name}'s Gateway bridge did not answer within ${timeoutMs / 1000} s`,
                {
                  fix: `Is the agent still starting? Its logs (\`claw agents logs ${name}\`) say more.`,
                },
              ),
            );
          }, timeoutMs),
        };
        listener.waiters.push(waiter);
      });
    },
    close,
    async closeAll() {
      await Promise.all([...listeners.keys()].map(close));
    },
  };
}
