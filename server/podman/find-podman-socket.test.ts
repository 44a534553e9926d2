import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPodmanSocket, listSocketCandidates, parseSocketUrl } from "./find-podman-socket";

describe("parseSocketUrl", () => {
  it("accepts a local unix:// URL", () => {
    expect(parseSocketUrl("unix:///run/podman/podman.sock")).toEqual({
      ok: true,
      socketPath: "/run/podman/podman.sock",
    });
    expect(parseSocketUrl("  UNIX:///tmp/p.sock ")).toEqual({ ok: true, socketPath: "/tmp/p.sock" });
  });

  it("says clearly that ssh:// is not supported yet", () => {
    const parsed = parseSocketUrl("ssh://core@host:22/run/podman/podman.sock", "CONTAINER_HOST");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.error).toMatch(/ssh:\/\/ connections .* not supported yet.*unset CONTAINER_HOST/);
  });

  it("refuses tcp://, relative paths, bare paths and other schemes", () => {
    expect(parseSocketUrl("tcp://127.0.0.1:2375", "DOCKER_HOST")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/DOCKER_HOST=.*tcp:\/\/ is not supported/),
    });
    expect(parseSocketUrl("unix://run/podman.sock")).toMatchObject({ ok: false, error: /absolute/ });
    expect(parseSocketUrl("/run/podman/podman.sock")).toMatchObject({ ok: false, error: /not a URL/ });
    expect(parseSocketUrl("npipe:////./pipe/docker")).toMatchObject({ ok: false, error: /npipe/ });
  });
});

describe("listSocketCandidates", () => {
  it("orders CONTAINER_HOST, DOCKER_HOST, user, system", () => {
    const candidates = listSocketCandidates(
      { CONTAINER_HOST: "unix:///a.sock", DOCKER_HOST: "unix:///b.sock", XDG_RUNTIME_DIR: "/run/user/1000" },
      1000,
    );
    expect(candidates).toEqual([
      { source: "CONTAINER_HOST", socketPath: "/a.sock" },
      { source: "DOCKER_HOST", socketPath: "/b.sock" },
      { source: "user", socketPath: "/run/user/1000/podman/podman.sock" },
      { source: "system", socketPath: "/run/podman/podman.sock" },
    ]);
  });

  it("keeps an unusable setting as a candidate with its problem", () => {
    const [first] = listSocketCandidates({ CONTAINER_HOST: "ssh://host/run/podman.sock" }, 0);
    expect(first).toMatchObject({ source: "CONTAINER_HOST", problem: /ssh/ });
    expect(first?.socketPath).toBeUndefined();
  });

  it("falls back to /run/user/<uid> for a user without XDG_RUNTIME_DIR; root has no user socket", () => {
    expect(listSocketCandidates({}, 1000).map((c) => c.socketPath)).toEqual([
      "/run/user/1000/podman/podman.sock",
      "/run/podman/podman.sock",
    ]);
    expect(listSocketCandidates({}, 0).map((c) => c.source)).toEqual(["system"]);
  });
});

describe("findPodmanSocket", () => {
  let dir: string;
  const servers: Server[] = [];

  const listen = (path: string, podman: boolean) =>
    new Promise<void>((resolve) => {
      const server = createServer((_req, res) => {
        if (podman) res.setHeader("Libpod-Api-Version", "4.3.1");
        res.end("OK");
      });
      servers.push(server);
      server.listen(path, resolve);
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-find-"));
    await listen(join(dir, "docker.sock"), false);
    await listen(join(dir, "podman.sock"), true);
    // A socket file nobody listens on, as a killed service leaves behind (a clean close unlinks it).
    const script = `require("node:net").createServer().listen(process.argv[1], () => process.kill(process.pid, "SIGKILL"))`;
    spawnSync(process.execPath, ["-e", script, join(dir, "stale.sock")]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  it("returns the first Podman that answers and why the others were passed over", async () => {
    const result = await findPodmanSocket([
      { source: "CONTAINER_HOST", problem: "ssh:// not supported yet" },
      { source: "DOCKER_HOST", socketPath: join(dir, "docker.sock") },
      { source: "user", socketPath: join(dir, "missing.sock") },
      { source: "user", socketPath: join(dir, "stale.sock") },
      { source: "system", socketPath: join(dir, "podman.sock") },
    ]);
    expect(result.found).toEqual({
      socketPath: join(dir, "podman.sock"),
      source: "system",
      libpodApiVersion: "4.3.1",
    });
    expect(result.attempts.map((a) => a.error)).toEqual([
      "ssh:// not supported yet",
      "answers, but is not Podman (a Docker daemon?)",
      "no socket there",
      "socket file exists but nothing listens (a stale socket)",
    ]);
  });

  it("finds nothing in an empty list", async () => {
    expect(await findPodmanSocket([])).toEqual({ attempts: [] });
  });
});
