import { execFile } from "node:child_process";
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClawPaths, clawPaths } from "../config";
import { AppError } from "../errors";
import type { SocketCandidate } from "./find-podman-socket";
import { gatherHostFacts } from "./host-workarounds";
import { pingPodmanSocket } from "./ping-podman-socket";
import { createPodmanService, type PodmanService } from "./podman-service";
import { cleanPodmanEnv } from "./podman-test-env";
import { startPodmanService } from "./start-podman-service";

const execFileAsync = promisify(execFile);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A stand-in for `podman` that answers pings like Podman and ignores SIGTERM (or fails at once). */
const FAKE_PODMAN = `#!${process.execPath}
const http = require("node:http");
const target = process.argv.at(-1).replace("unix://", "");
if (process.env.FAKE_PODMAN_FAIL) {
  process.stderr.write("time=x level=warning msg=\\"noise\\"\\nError: cannot bind: the fake says no\\n");
  process.exit(125);
}
process.on("SIGTERM", () => {});
http.createServer((_req, res) => { res.setHeader("Libpod-Api-Version", "4.3.1"); res.end("OK"); }).listen(target);
`;

describe("podman service (real Podman)", () => {
  let home: string;
  let paths: ClawPaths;
  let service: PodmanService | undefined;
  let nowhere: SocketCandidate[];

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "claw-podman-"));
    await chmod(home, 0o700);
    paths = clawPaths(home);
    // No candidate answers, so the service must start its own Podman.
    nowhere = [{ source: "system", socketPath: join(home, "nobody-listens.sock") }];
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await rm(home, { recursive: true, force: true });
  });

  it("starts its own service when no candidate answers, shares it, and stops it on close", async () => {
    service = createPodmanService(paths, { candidates: nowhere, env: cleanPodmanEnv() });

    const started = performance.now();
    const [a, b] = await Promise.all([service.get(), service.get()]);
    const elapsed = Math.round(performance.now() - started);
    console.info(`podman system service answered after ${elapsed} ms`);

    expect(a.source).toBe("panel");
    expect(a.socketPath).toBe(paths.podmanSocket);
    // Concurrent callers got the one client from the one attempt.
    expect(b.docker).toBe(a.docker);
    expect(String(await a.docker.ping())).toBe("OK");

    const pid = Number(await readFile(join(paths.run, "podman-service.pid"), "utf8"));
    expect(isAlive(pid)).toBe(true);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    expect(cmdline).toEqual(
      expect.arrayContaining(["system", "service", "--time=0", `unix://${paths.podmanSocket}`]),
    );

    // When the host needs the workaround, the child runs with it.
    const environ = (await readFile(`/proc/${pid}/environ`, "utf8")).split("\0");
    const status = await service.status();
    if (status.workaround.needed) {
      expect(environ).toContain(`CONTAINERS_CONF=${paths.containersConf}`);
      expect(status.workaround).toMatchObject({ active: true, confPath: paths.containersConf });
    } else {
      expect(environ.some((e) => e.startsWith("CONTAINERS_CONF="))).toBe(false);
    }

    await service.close();
    expect(isAlive(pid)).toBe(false);
    expect(await exists(paths.podmanSocket)).toBe(false);
    expect(await exists(join(paths.run, "podman-service.pid"))).toBe(false);
    // Idempotent, and a closed service hands out nothing.
    await service.close();
    await expect(service.get()).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("status() reports what `podman info` reports on this host", async () => {
    service = createPodmanService(paths, { candidates: nowhere, env: cleanPodmanEnv() });
    const status = await service.status();
    const { stdout } = await execFileAsync("podman", ["info", "--format", "json"], { env: cleanPodmanEnv() });
    const cli = JSON.parse(stdout) as {
      host: { cgroupVersion: string; security: { rootless: boolean } };
      version: { Version: string };
    };

    expect(status.reachable).toBe(true);
    expect(status.error).toBeUndefined();
    expect(status.source).toBe("panel");
    expect(status.version).toBe(cli.version.Version);
    expect(status.cgroupVersion).toBe(cli.host.cgroupVersion);
    expect(status.rootless).toBe(cli.host.security.rootless);
    expect(status.apiVersion).toMatch(/^1\.\d+$/);
    expect(status.containers?.total).toBeGreaterThanOrEqual(status.containers?.running ?? 0);

    const facts = await gatherHostFacts();
    if (facts.cgroupLayout === "v1-hybrid" || facts.cgroupLayout === "v1-legacy") {
      // crun refuses hybrid v1: the panel's service must run containers with runc.
      expect(status.cgroupVersion).toBe("v1");
      expect(status.ociRuntime).toBe("runc");
      expect(status.workaround.active).toBe(true);
      expect(await readFile(paths.containersConf, "utf8")).toContain('runtime = "runc"');
    }
  });

  it("uses an answering socket it did not start and leaves it running on close", async () => {
    const external = await startPodmanService({
      socketPath: join(home, "external", "podman.sock"),
      pidFile: join(home, "external", "pid"),
      env: cleanPodmanEnv(),
    });
    try {
      service = createPodmanService(paths, {
        candidates: [
          { source: "CONTAINER_HOST", problem: "ssh:// connections are not supported yet" },
          { source: "DOCKER_HOST", socketPath: external.socketPath },
        ],
        env: cleanPodmanEnv(),
      });
      const connection = await service.get();
      expect(connection).toMatchObject({ source: "DOCKER_HOST", socketPath: external.socketPath });
      const status = await service.status();
      expect(status.reachable).toBe(true);
      expect(status.skipped).toEqual([{ source: "CONTAINER_HOST", error: expect.stringMatching(/ssh/) }]);
      if (status.workaround.needed) {
        // Its own conf cannot reach a service someone else started: say so.
        expect(status.workaround.active).toBe(false);
        expect(status.workaround.note).toMatch(/not started by claw/);
      }
      await service.close();
      expect(external.isRunning()).toBe(true);
      expect((await pingPodmanSocket(external.socketPath)).ok).toBe(true);
    } finally {
      await external.stop();
    }
  });

  it("starts a new service after its child died", async () => {
    service = createPodmanService(paths, { candidates: nowhere, env: cleanPodmanEnv() });
    await service.get();
    const first = Number(await readFile(join(paths.run, "podman-service.pid"), "utf8"));
    process.kill(first, "SIGKILL");
    for (let i = 0; i < 100 && isAlive(first); i++) await sleep(20);
    await sleep(50);

    const again = await service.get();
    const second = Number(await readFile(join(paths.run, "podman-service.pid"), "utf8"));
    expect(second).not.toBe(first);
    expect(String(await again.docker.ping())).toBe("OK");
  });

  it("ends a service an earlier panel left behind on the same socket", async () => {
    const leftover = await startPodmanService({
      socketPath: paths.podmanSocket,
      pidFile: join(paths.run, "podman-service.pid"),
      env: cleanPodmanEnv(),
    });
    // Simulate a crashed panel: nobody calls leftover.stop().
    const fresh = await startPodmanService({
      socketPath: paths.podmanSocket,
      pidFile: join(paths.run, "podman-service.pid"),
      env: cleanPodmanEnv(),
    });
    try {
      expect(leftover.isRunning()).toBe(false);
      expect(fresh.pid).not.toBe(leftover.pid);
      expect((await pingPodmanSocket(paths.podmanSocket)).ok).toBe(true);
    } finally {
      await fresh.stop();
      await leftover.stop();
    }
  });

  it("retries a failed attempt on the next call instead of caching the failure", async () => {
    // A file where the run folder should be: the first start must fail.
    await writeFile(paths.run, "not a folder");
    service = createPodmanService(paths, { candidates: nowhere, env: cleanPodmanEnv() });
    const error = await service.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
    const down = await service.status();
    expect(down.reachable).toBe(false);
    expect(down.error?.message).toBeTruthy();

    await rm(paths.run);
    const connection = await service.get();
    expect(String(await connection.docker.ping())).toBe("OK");
  });
});

describe("podman service failures", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-podman-fail-"));
    await chmod(dir, 0o700);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("says Podman is not installed, with the install command, when the binary is missing", async () => {
    const service = createPodmanService(clawPaths(dir), {
      candidates: [],
      podmanBinary: join(dir, "no-such-podman"),
      env: cleanPodmanEnv(),
    });
    const error = await service.get().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "UNAVAILABLE",
      message: /not installed/,
      fix: /apt-get install -y podman/,
    });
    const status = await service.status();
    expect(status).toMatchObject({ reachable: false, error: { message: /not installed/, fix: /apt-get/ } });
    expect(status.workaround).toBeDefined();
    await service.close();
  });

  it("reports the service's own error line when it exits before answering", async () => {
    const fake = join(dir, "podman");
    await writeFile(fake, FAKE_PODMAN, { mode: 0o755 });
    const error = await startPodmanService({
      socketPath: join(dir, "run", "podman.sock"),
      pidFile: join(dir, "run", "pid"),
      podmanBinary: fake,
      env: { ...cleanPodmanEnv(), FAKE_PODMAN_FAIL: "1" },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNAVAILABLE", message: /exited \(code 125\).*the fake says no/ });
    expect(error).toMatchObject({ fix: /podman system service --time=0/ });
  });

  it("kills a service that ignores SIGTERM after the grace time and removes its socket", async () => {
    const fake = join(dir, "podman");
    await writeFile(fake, FAKE_PODMAN, { mode: 0o755 });
    await mkdir(join(dir, "run"), { mode: 0o700 });
    const child = await startPodmanService({
      socketPath: join(dir, "run", "podman.sock"),
      pidFile: join(dir, "run", "pid"),
      podmanBinary: fake,
      env: cleanPodmanEnv(),
    });
    expect((await pingPodmanSocket(child.socketPath)).ok).toBe(true);
    await child.stop(300);
    expect(await child.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(isAlive(child.pid)).toBe(false);
    expect(await exists(child.socketPath)).toBe(false);
    expect(await exists(join(dir, "run", "pid"))).toBe(false);
  });
});
