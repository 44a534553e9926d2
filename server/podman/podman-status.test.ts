import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clawPaths } from "../config";
import { dialLibpod, socketOf, withHeadersDeadline } from "./dial-libpod";
import type { HostFacts } from "./host-workarounds";
import { isPodmanOutage } from "./podman-errors";
import { createPodmanService, type PodmanService } from "./podman-service";
import { cleanPodmanEnv } from "./podman-test-env";

const info = {
  host: { cgroupVersion: "v2", ociRuntime: { name: "crun" }, security: { rootless: false } },
  store: { containerStore: { number: 2, running: 1 } },
  version: { Version: "4.3.1", APIVersion: "4.3.1" },
};
const facts: HostFacts = {
  cgroupLayout: "v2",
  hardNofile: null,
  hardNproc: null,
  canRaiseHardLimits: true,
  rootless: false,
  uid: 0,
};

/** A stand-in for Podman's API on a Unix socket that counts what it is asked (or never answers). */
function fakePodman(socketPath: string, mode: { hang: boolean }) {
  const asked = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0]?.replace(/^\/v[\d.]+/, "") ?? "";
    asked.set(path, (asked.get(path) ?? 0) + 1);
    if (mode.hang) return; // Like a SIGSTOPped service: the kernel takes the connection, nobody answers.
    res.setHeader("Libpod-Api-Version", "4.3.1");
    res.setHeader("Content-Type", "application/json");
    // `podman info` takes about a second on a real host: concurrent callers overlap.
    const answer = (body: unknown, delayMs = 0) => setTimeout(() => res.end(JSON.stringify(body)), delayMs);
    if (path === "/_ping" || path === "/libpod/_ping") return void res.end("OK");
    if (path === "/libpod/info") return answer(info, 300);
    if (path === "/version") return answer({ Version: "4.3.1", ApiVersion: "1.41" }, 300);
    if (path === "/libpod/containers/json") return answer([{ State: "running" }, { State: "exited" }]);
    res.statusCode = 404;
    res.end(JSON.stringify({ message: "no such thing" }));
  });
  return {
    asked,
    count: (path: string) => asked.get(path) ?? 0,
    listen: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("podman status: shared, cached, and clear when Podman is gone or hung", () => {
  let dir: string;
  let socketPath: string;
  let mode: { hang: boolean };
  let fake: ReturnType<typeof fakePodman>;
  let service: PodmanService | undefined;
  let hostFactsRead = 0;

  const serviceOn = (statusCacheMs = 2_000, statusTimeoutMs?: number) =>
    createPodmanService(clawPaths(join(dir, "home")), {
      candidates: [{ source: "CONTAINER_HOST", socketPath }],
      env: cleanPodmanEnv(),
      hostFacts: async () => {
        hostFactsRead++;
        return facts;
      },
      statusCacheMs,
      statusTimeoutMs,
      // Never start a real Podman here: a test that needs one fails instead.
      podmanBinary: join(dir, "no-podman-here"),
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-podman-status-"));
    socketPath = join(dir, "podman.sock");
    mode = { hang: false };
    fake = fakePodman(socketPath, mode);
    await fake.listen();
    hostFactsRead = 0;
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("50 concurrent calls run one probe and get one answer; later calls reuse Podman's facts", async () => {
    service = serviceOn(200);
    const answers = await Promise.all(Array.from({ length: 50 }, () => service?.status()));
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatchObject({ reachable: true, version: "4.3.1", apiVersion: "1.41" });
    expect(fake.count("/libpod/info")).toBe(1);
    expect(fake.count("/version")).toBe(1);

    // Within the cache time: the same answer, nothing asked.
    await service.status();
    expect(fake.count("/libpod/info") + fake.count("/libpod/containers/json")).toBe(1);

    // Past it: only the cheap count is asked; the costly facts are kept for this connection.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const later = await service.status();
    expect(later).toMatchObject({ reachable: true, version: "4.3.1", containers: { running: 1, total: 2 } });
    expect(fake.count("/libpod/info")).toBe(1);
    expect(fake.count("/version")).toBe(1);
    expect(fake.count("/libpod/containers/json")).toBe(1);
    expect(hostFactsRead).toBe(1);
  });

  it("a hung Podman is 'not answering' within the deadline, for status and for calls", async () => {
    service = serviceOn(0, 500);
    await service.get();
    mode.hang = true;
    // Without a deadline this would wait for ever (the test's timeout would fail it).
    const status = await service.status();
    expect(status).toMatchObject({ reachable: false, error: { message: /^Podman is not answering at / } });
    expect(status.error?.fix).toMatch(/podman info/);

    const { docker } = await service.get();
    const call = await dialLibpod(docker, "/containers/x/json", { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isPodmanOutage(call)).toBe(true);
    expect(call).toMatchObject({
      code: "UNAVAILABLE",
      message: /not answering.*GET \/v4\.0\.0\/libpod\/containers\/x\/json within/,
    });
    const stream = await withHeadersDeadline(
      docker,
      "the event feed",
      (abortSignal) => docker.getEvents({ abortSignal }),
      300,
    ).catch((e: unknown) => e);
    expect(stream).toMatchObject({ code: "UNAVAILABLE", message: /not answering.*the event feed/ });
  });

  it("a Podman that goes away is 'not reachable' at the socket it was found on, and is used again when it is back", async () => {
    service = serviceOn(0);
    expect((await service.status()).reachable).toBe(true);
    await fake.close();
    const down = await service.status();
    expect(down).toMatchObject({
      reachable: false,
      socketPath,
      source: "CONTAINER_HOST",
      // "no socket there", or "the connection was cut" when a kept-alive connection was in use.
      error: { message: expect.stringMatching(/^Podman is not reachable at \S+podman\.sock \(/) },
    });
    const { docker } = await service.get();
    // Still the socket it was found on: no other Podman was looked for or started.
    expect(socketOf(docker)).toBe(socketPath);
    const call = await dialLibpod(docker, "/containers/x/json").catch((e: unknown) => e);
    expect(call).toMatchObject({ code: "UNAVAILABLE", message: /^Podman is not reachable at / });

    fake = fakePodman(socketPath, mode);
    await fake.listen();
    // Facts are read again: the service may have come back another version.
    expect(await service.status()).toMatchObject({ reachable: true, version: "4.3.1" });
    expect(fake.count("/libpod/info")).toBe(1);
    expect(hostFactsRead).toBe(1);
  });
});
