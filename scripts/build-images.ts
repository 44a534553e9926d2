// npm test, before the tests: builds the images once (cached by the hash of their inputs), so the
// tests that run agents and jobs share them instead of racing to build them in parallel. One
// after the other: they share the base, which the first build makes (or finds).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clawPaths } from "../server/config";
import { ensureClawHome } from "../server/fs/ensure-claw-home";
import { buildAgentImage } from "../server/images/build-agent-image";
import { buildClaudeCodeImage } from "../server/images/build-claude-code-image";
import { openImagePodman } from "../server/images/image-podman";
import { createPodmanService } from "../server/podman/podman-service";

const home = await mkdtemp(join(tmpdir(), "claw-images-"));
const paths = clawPaths(home);
await ensureClawHome(paths);
const podman = createPodmanService(paths);
try {
  const imagePodman = await openImagePodman(podman);
  for (const build of [buildAgentImage, buildClaudeCodeImage]) {
    const started = Date.now();
    let lastStep = "";
    const image = await build(imagePodman, {
      onProgress: (event) => {
        if (event.step !== lastStep) console.log(`images: ${event.step}`);
        lastStep = event.step;
      },
    });
    console.log(
      `images: ${image.cached ? "up to date" : "built"} ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await podman.close();
  await rm(home, { recursive: true, force: true });
}
