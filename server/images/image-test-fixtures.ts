import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clawPaths } from "../config";
import { createPodmanService } from "../podman/podman-service";
import { type ImagePodman, openImagePodman } from "./image-podman";
import { runCommand } from "./run-command";

export type TestImagePodman = ImagePodman & {
  /** The podman CLI with the service's environment; rejects with the output's tail on failure. */
  cli: (args: string[]) => Promise<{ stdout: string; stderr: string }>;
  close: () => Promise<void>;
};

/** Tests' way to the real Podman: the panel's own service, from a throwaway claw home. */
export async function openTestImagePodman(): Promise<TestImagePodman> {
  const home = await mkdtemp(join(tmpdir(), "claw-images-"));
  await chmod(home, 0o700);
  const service = createPodmanService(clawPaths(home));
  const podman = await openImagePodman(service);
  return {
    ...podman,
    cli: (args) => runCommand(podman.podmanBinary, args, { env: podman.cliEnv, fix: "see the test output" }),
    close: async () => {
      await service.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
