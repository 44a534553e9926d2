/**
 * Integration: builds the real agent image with the panel's own Podman service (rootful here,
 * debootstrap + podman import for the base), then runs it hardened. The first run is cold
 * (debootstrap, import, build: a few minutes); later runs find the inputs-hash tags.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentRepo, buildAgentImage } from "./build-agent-image";
import type { ImageBuildEvent } from "./image-build-progress";
import { openTestImagePodman, type TestImagePodman } from "./image-test-fixtures";
import { listClawImages } from "./list-images";

const minutes = 60_000;
const hardened = [
  "run",
  "--rm",
  "--network",
  "none",
  "--read-only",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
  "--user",
  "1000:1000",
  "--tmpfs",
  "/tmp",
];

describe("agent image (real Podman, real OpenClaw)", () => {
  let podman: TestImagePodman;

  beforeAll(async () => {
    podman = await openTestImagePodman();
  });

  afterAll(async () => {
    await podman?.close();
  });

  it(
    "builds, caches by inputs hash, and runs hardened as non-root",
    async () => {
      const events: ImageBuildEvent[] = [];
      let started = Date.now();
      const first = await buildAgentImage(podman, { onProgress: (event) => events.push(event) });
      const firstMs = Date.now() - started;
      expect(first.ref).toMatch(new RegExp(`^${agentRepo}:[0-9a-f]{16}$`));
      expect(events.length).toBeGreaterThan(0);
      expect(events.at(-1)?.percent).toBe(100);

      started = Date.now();
      const second = await buildAgentImage(podman);
      const secondMs = Date.now() - started;
      expect(second.cached).toBe(true);
      expect(second.base.cached).toBe(true);
      expect(second.ref).toBe(first.ref);
      // A cache hit only hashes inputs and asks Podman: seconds, not a build.
      expect(secondMs).toBeLessThan(30_000);

      const node = await podman.cli([...hardened, first.ref, "node", "--version"]);
      expect(node.stdout.trim()).toMatch(/^v24\./);
      const openclaw = await podman.cli([...hardened, first.ref, "openclaw", "--version"]);
      expect(openclaw.stdout).toContain("2026.9.6");

      // Non-root by default: no --user given.
      const id = await podman.cli(["run", "--rm", "--network", "none", first.latestRef, "id", "-u"]);
      expect(id.stdout.trim()).toBe("1000");
      // And the init refuses root when someone overrides the user.
      await expect(
        podman.cli(["run", "--rm", "--network", "none", "--user", "0", first.ref, "true"]),
      ).rejects.toThrow(/refusing to run as root/);

      const images = await listClawImages(podman.docker);
      const agent = images.find((image) => image.ref === first.ref);
      const latest = images.find((image) => image.ref === first.latestRef);
      expect(agent?.labels["claw.inputs"]).toBe(first.inputsHash);
      expect(latest?.id).toBe(agent?.id);
      expect(images.some((image) => image.ref === first.base.ref)).toBe(true);

      const base = images.find((image) => image.ref === first.base.ref);
      console.log(
        JSON.stringify(
          {
            firstBuild: { cached: first.cached, totalMs: firstMs, ...first.timings },
            base: { cached: first.base.cached, ...first.base.timings, sizeMB: mb(base?.sizeBytes) },
            warmBuildMs: secondMs,
            agentSizeMB: mb(agent?.sizeBytes),
          },
          null,
          2,
        ),
      );
    },
    20 * minutes,
  );

  it(
    "rejects a failed build with the build's own error",
    async () => {
      const context = await mkdtemp(join(tmpdir(), "claw-broken-context-"));
      try {
        await writeFile(
          join(context, "Containerfile"),
          'ARG BASE_IMAGE\nFROM $BASE_IMAGE\nRUN echo "claw-test: about to fail" && exit 3\n',
        );
        await writeFile(join(context, "claw-agent-init"), "#!/bin/sh\n", { mode: 0o755 });
        await writeFile(join(context, "claw-ingress.mjs"), "");
        await writeFile(join(context, "claw-relay.mjs"), "");
        const failed = buildAgentImage(podman, { contextDir: context });
        await expect(failed).rejects.toThrow(/claw-test: about to fail/);
        await expect(failed).rejects.toMatchObject({ code: "INTERNAL", fix: expect.any(String) });
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    },
    10 * minutes,
  );
});

function mb(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round(bytes / 1e5) / 10;
}
