import type Dockerode from "dockerode";

export type ClawImage = {
  /** `localhost/claw-…:tag`; an image with several claw tags appears once per tag. */
  ref: string;
  /** Image id (sha256:…). */
  id: string;
  /** Repo digest when Podman reports one (local builds often have none). */
  digest?: string;
  sizeBytes: number;
  created: Date;
  labels: Record<string, string>;
};

/** Images whose repository starts with this belong to claw. */
export const clawRepoPrefix = "localhost/claw-";

type ListedImage = Pick<
  Dockerode.ImageInfo,
  "Id" | "RepoTags" | "RepoDigests" | "Size" | "Created" | "Labels"
>;

/** Pure: the claw images among an image listing, newest first, then by ref. */
export function selectClawImages(images: ListedImage[]): ClawImage[] {
  const result: ClawImage[] = [];
  for (const image of images) {
    for (const ref of image.RepoTags ?? []) {
      if (!ref.startsWith(clawRepoPrefix)) continue;
      const repo = ref.slice(0, ref.lastIndexOf(":"));
      const digest = (image.RepoDigests ?? []).find((entry) => entry.startsWith(`${repo}@`));
      result.push({
        ref,
        id: image.Id.startsWith("sha256:") ? image.Id : `sha256:${image.Id}`,
        digest: digest?.slice(repo.length + 1),
        sizeBytes: image.Size,
        created: new Date(image.Created * 1000),
        labels: image.Labels ?? {},
      });
    }
  }
  return result.sort((a, b) => b.created.getTime() - a.created.getTime() || (a.ref < b.ref ? -1 : 1));
}

/** Edge: claw's images in the store the Podman API serves. */
export async function listClawImages(docker: Dockerode): Promise<ClawImage[]> {
  return selectClawImages(await docker.listImages());
}
