import type Dockerode from "dockerode";
import { statusCodeOf } from "../podman/dial-libpod";
import type { PodmanService } from "../podman/podman-service";

/** What the image builders need from Podman: the API client and how to call the CLI. */
export type ImagePodman = {
  docker: Dockerode;
  /** Environment for the `podman` CLI: CONTAINERS_CONF set when this host needs claw's conf. */
  cliEnv: NodeJS.ProcessEnv;
  podmanBinary: string;
};

/** Edge: the panel's Podman connection plus the CLI environment that matches its service. */
export async function openImagePodman(
  podman: PodmanService,
  options: { podmanBinary?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ImagePodman> {
  const { docker } = await podman.get();
  const status = await podman.status();
  const confPath = status.workaround.confPath;
  const base = options.env ?? process.env;
  return {
    docker,
    cliEnv: confPath ? { ...base, CONTAINERS_CONF: confPath } : { ...base },
    podmanBinary: options.podmanBinary ?? "podman",
  };
}

/** True when the image reference exists in the store the API serves. */
export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/** Adds `repo:tag` to an existing image. */
export async function tagImage(docker: Dockerode, ref: string, repo: string, tag: string): Promise<void> {
  await docker.getImage(ref).tag({ repo, tag });
}
