import { AppError, isAppError } from "../errors";

/**
 * How long a Podman call that should answer at once may take. A healthy service answers these in
 * milliseconds, even loaded; a hung one (SIGSTOP, a stuck lock) would otherwise hold the caller forever.
 */
export const podmanAnswerMs = 8_000;

/** Calls that change containers (create, start, remove) may take longer: image layers, id mapping. */
export const podmanChangeMs = 60_000;

const socketErrorReasons: Record<string, string> = {
  ENOENT: "no socket there",
  ECONNREFUSED: "nothing listens on the socket",
  ECONNRESET: "the connection was cut",
  EPIPE: "the connection was cut",
  EACCES: "permission denied",
};

/** Podman itself is unavailable: not reachable, or not answering. Never a verdict about an agent. */
export class PodmanOutage extends AppError {}

/** The socket is gone or refuses: the service is not running. */
export function podmanNotReachable(
  socketPath: string | undefined,
  reason: string,
  cause?: unknown,
): PodmanOutage {
  return new PodmanOutage(
    "UNAVAILABLE",
    `Podman is not reachable${socketPath ? ` at ${socketPath}` : ""} (${reason})`,
    {
      fix:
        "Start the Podman service again" +
        (socketPath ? ` (\`podman system service --time=0 unix://${socketPath}\`)` : "") +
        ", or see `claw doctor`; claw reconnects when it answers. Nothing was changed.",
      cause,
    },
  );
}

/** The socket takes the request but nothing answers: the service is hung or overloaded. */
export function podmanNotAnswering(socketPath: string | undefined, what: string, ms: number): PodmanOutage {
  return new PodmanOutage(
    "UNAVAILABLE",
    `Podman is not answering${socketPath ? ` at ${socketPath}` : ""}: no reply to ${what} within ${Math.round(ms / 1000)} s`,
    {
      fix: "Its service may be hung or overloaded: run `podman info` to see; if that hangs too, restart the Podman service (claw reconnects by itself).",
    },
  );
}

/** A connection-level failure (socket gone, refused, cut) as "not reachable"; anything else as it was. */
export function toPodmanError(error: unknown, socketPath: string | undefined): unknown {
  if (isAppError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = code ? socketErrorReasons[code] : undefined;
  return reason ? podmanNotReachable(socketPath, reason, error) : error;
}

/** Failing to get a connection at all (no service, none could start) as "Podman is not reachable". */
export function asPodmanOutage(error: unknown): PodmanOutage {
  if (error instanceof PodmanOutage) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const fix = isAppError(error) ? error.fix : undefined;
  const outage = podmanNotReachable(undefined, reason, error);
  return fix ? new PodmanOutage("UNAVAILABLE", outage.message, { fix, cause: error }) : outage;
}

export function isPodmanOutage(error: unknown): error is PodmanOutage {
  return error instanceof PodmanOutage;
}
