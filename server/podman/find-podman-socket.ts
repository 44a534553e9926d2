import { isAbsolute, join } from "node:path";
import { pingPodmanSocket } from "./ping-podman-socket";

/** Where the panel's Podman socket came from; "panel" = a service the panel started itself. */
export type PodmanSource = "CONTAINER_HOST" | "DOCKER_HOST" | "user" | "system" | "panel";

export type SocketCandidate = {
  source: Exclude<PodmanSource, "panel">;
  /** Absent when the setting could not be used (then `problem` says why). */
  socketPath?: string;
  problem?: string;
};

export type SocketAttempt = { source: SocketCandidate["source"]; socketPath?: string; error: string };

export type FindSocketResult = {
  found?: { socketPath: string; source: SocketCandidate["source"]; libpodApiVersion: string };
  /** Every candidate tried before the one found (or all of them), with why it was passed over. */
  attempts: SocketAttempt[];
};

export type ParsedSocketUrl = { ok: true; socketPath: string } | { ok: false; error: string };

/** Pure: the socket path of a CONTAINER_HOST / DOCKER_HOST value; only local unix:// URLs are usable. */
export function parseSocketUrl(value: string, variable = "CONTAINER_HOST"): ParsedSocketUrl {
  const trimmed = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "unix") {
    const socketPath = trimmed.slice("unix://".length);
    if (!isAbsolute(socketPath)) {
      return {
        ok: false,
        error: `${variable}=${trimmed} is not an absolute path (want unix:///path/to/podman.sock)`,
      };
    }
    return { ok: true, socketPath };
  }
  if (scheme === "ssh") {
    return {
      ok: false,
      error:
        `${variable}=${trimmed}: ssh:// connections to remote Podman are not supported yet; ` +
        `unset ${variable} or point it at a local unix:// socket`,
    };
  }
  if (scheme === "tcp" || scheme === "http" || scheme === "https") {
    return {
      ok: false,
      error: `${variable}=${trimmed}: ${scheme}:// is not supported (Podman's TCP API has no authentication); use a unix:// socket`,
    };
  }
  if (scheme === undefined) {
    return { ok: false, error: `${variable}=${trimmed} is not a URL (want unix:///path/to/podman.sock)` };
  }
  return { ok: false, error: `${variable}=${trimmed}: ${scheme}:// is not supported; use a unix:// socket` };
}

/** Pure: the sockets to try, in order: CONTAINER_HOST, DOCKER_HOST, the user's socket, the system socket. */
export function listSocketCandidates(
  env: Record<string, string | undefined>,
  uid: number,
): SocketCandidate[] {
  const candidates: SocketCandidate[] = [];
  for (const variable of ["CONTAINER_HOST", "DOCKER_HOST"] as const) {
    const value = env[variable];
    if (!value) continue;
    const parsed = parseSocketUrl(value, variable);
    candidates.push(
      parsed.ok
        ? { source: variable, socketPath: parsed.socketPath }
        : { source: variable, problem: parsed.error },
    );
  }
  // Rootless Podman falls back to /run/user/<uid> when XDG_RUNTIME_DIR is unset; so do we.
  const runtimeDir = env.XDG_RUNTIME_DIR || (uid !== 0 ? `/run/user/${uid}` : undefined);
  if (runtimeDir) candidates.push({ source: "user", socketPath: join(runtimeDir, "podman", "podman.sock") });
  candidates.push({ source: "system", socketPath: "/run/podman/podman.sock" });
  return candidates;
}

/** The first candidate that answers a ping and is Podman (not Docker); never throws. */
export async function findPodmanSocket(
  candidates: SocketCandidate[],
  timeoutMs = 1_000,
): Promise<FindSocketResult> {
  const attempts: SocketAttempt[] = [];
  for (const candidate of candidates) {
    const { source, socketPath } = candidate;
    if (!socketPath) {
      attempts.push({ source, error: candidate.problem ?? "no socket path" });
      continue;
    }
    const ping = await pingPodmanSocket(socketPath, timeoutMs);
    if (!ping.ok) {
      attempts.push({ source, socketPath, error: ping.error });
      continue;
    }
    // claw needs the libpod endpoints: a Docker daemon on DOCKER_HOST answers /_ping too.
    if (!ping.libpodApiVersion) {
      attempts.push({ source, socketPath, error: "answers, but is not Podman (a Docker daemon?)" });
      continue;
    }
    return { found: { socketPath, source, libpodApiVersion: ping.libpodApiVersion }, attempts };
  }
  return { attempts };
}
