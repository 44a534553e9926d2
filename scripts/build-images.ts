// npm test, before the tests: builds the agent image once (cached by the hash of its inputs), so
// the tests that run agents share it instead of racing to build it in parallel.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clawPaths } from "../server/config";
import { ensureClawHome } from "../server/fs/ensure-claw-home";
import { buildAgentImage } from "../server/images/build-agent-image";
import { openImagePodman } from "../server/images/image-podman";
import { createPodmanService } from "../server/podman/podman-service";

const home = await mkdtemp(join(tmpdir(), "claw-images-"));
const paths = clawPaths(home);
await ensureClawHome(paths);
const podman = createPodmanService(paths);
const started = Date.now();
try {
  let lastStep = "";
  const image = await buildAgentImage(await openImagePodman(podman), {
    onProgress: (event) => {
      if (event.step !== lastStep) console.log(`images: ${event.step}`);
      lastStep = event.step;
    },
  });
  console.log(
    `images: ${image.cached ? "up to date" : "built"} ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  await podman.close();
  await rm(home, { recursive: true, force: true });
}
