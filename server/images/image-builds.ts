import type { AuditLog } from "../audit/audit-log";
import { AppError, isAppError } from "../errors";
import type { PodmanService } from "../podman/podman-service";
import { buildAgentImage } from "./build-agent-image";
import { buildClaudeCodeImage } from "./build-claude-code-image";
import type { LayeredImage } from "./build-image-on-base";
import type { ImageBuildProgress } from "./image-build-progress";
import type { ImageKind } from "./image-kinds";
import { type ImagePodman, openImagePodman } from "./image-podman";
import { type ClawImage, listClawImages } from "./list-images";

export type ImageBuild = {
  id: number;
  image: ImageKind;
  state: "running" | "succeeded" | "failed";
  noCache: boolean;
  startedAt: string;
  finishedAt?: string;
  step: string;
  percent: number;
  /** The last lines of output, for the live view… */
  lines: string[];
  /** …and how many lines there have been in all, so a follower knows which are new. */
  lineCount: number;
  result?: { ref: string; inputsHash: string; cached: boolean };
  error?: { message: string; fix?: string };
};

export type ImageBuilds = {
  /**
   * Starts a build, or returns the one already running for the same image; one at a time, as
   * builds share the store and the base (a build of another image meanwhile is a CONFLICT).
   */
  start(options: { image: ImageKind; noCache: boolean; actor: string }): ImageBuild;
  current(): { running?: ImageBuild; last?: ImageBuild };
  /** Claw's images in Podman, and the build running or last finished. */
  list(): Promise<{ images: ClawImage[]; running?: ImageBuild; last?: ImageBuild }>;
  /** For followers (the page and `claw images build`): the build with this id, running or done. */
  build(id: number): ImageBuild | null;
  /** Resolves when no build is running (shutdown, tests). */
  idle(): Promise<void>;
};

const keepLines = 400;

const builders: Record<
  ImageKind,
  (
    podman: ImagePodman,
    options: { noCache: boolean; onProgress: ImageBuildProgress },
  ) => Promise<LayeredImage>
> = {
  "openclaw-agent": buildAgentImage,
  "claude-code": buildClaudeCodeImage,
};

export function createImageBuilds(deps: {
  podman: PodmanService;
  audit: AuditLog;
  /** After a successful build of the agent image (to lock agents created before there was one). */
  onBuilt?: () => Promise<void>;
}): ImageBuilds {
  let nextId = 1;
  let running: ImageBuild | undefined;
  let last: ImageBuild | undefined;
  let finished: Promise<void> = Promise.resolve();

  async function run(build: ImageBuild, actor: string) {
    await deps.audit.record({
      category: "lifecycle",
      action: "image_build_started",
      actor,
      outcome: "ok",
      details: { image: build.image, noCache: build.noCache, build: build.id },
    });
    try {
      const podman = await openImagePodman(deps.podman);
      const image = await builders[build.image](podman, {
        noCache: build.noCache,
        onProgress: (event) => {
          build.step = event.step;
          if (event.percent !== undefined) build.percent = event.percent;
          if (event.line) {
            build.lineCount += 1;
            build.lines.push(event.line);
            if (build.lines.length > keepLines) build.lines.splice(0, build.lines.length - keepLines);
          }
        },
      });
      build.state = "succeeded";
      build.percent = 100;
      build.result = { ref: image.ref, inputsHash: image.inputsHash, cached: image.cached };
    } catch (error) {
      build.state = "failed";
      build.error = isAppError(error)
        ? { message: error.message, fix: error.fix }
        : { message: error instanceof Error ? error.message : String(error) };
    }
    build.finishedAt = new Date().toISOString();
    await deps.audit.record({
      category: "lifecycle",
      action: "image_build_finished",
      actor,
      outcome: build.state === "succeeded" ? "ok" : "error",
      details: {
        image: build.image,
        build: build.id,
        ref: build.result?.ref ?? null,
        cached: build.result?.cached ?? null,
        error: build.error?.message.slice(0, 2000) ?? null,
      },
    });
    if (build.state === "succeeded" && build.image === "openclaw-agent") {
      await deps
        .onBuilt?.()
        .catch((error: Error) => console.error(`claw: after the image build: ${error.message}`));
    }
  }

  return {
    async list() {
      const { docker } = await deps.podman.get();
      return { images: await listClawImages(docker), running, last };
    },
    build: (id) => [running, last].find((build) => build?.id === id) ?? null,
    start({ image, noCache, actor }) {
      if (running?.image === image) return running;
      if (running) {
        throw new AppError("CONFLICT", `The ${running.image} image is being built (build #${running.id})`, {
          fix: `Build the ${image} image when that build has finished.`,
        });
      }
      const build: ImageBuild = {
        id: nextId++,
        image,
        state: "running",
        noCache,
        startedAt: new Date().toISOString(),
        step: "starting",
        percent: 0,
        lines: [],
        lineCount: 0,
      };
      running = build;
      finished = run(build, actor)
        .catch((error: unknown) => console.error("[images] build bookkeeping failed:", error))
        .finally(() => {
          last = build;
          running = undefined;
        });
      return build;
    },
    current: () => ({ running, last }),
    idle: () => finished,
  };
}
