import type { AuditLog } from "../audit/audit-log";
import { isAppError } from "../errors";
import type { PodmanService } from "../podman/podman-service";
import { buildAgentImage } from "./build-agent-image";
import { openImagePodman } from "./image-podman";

export type ImageBuild = {
  id: number;
  image: "openclaw-agent";
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
  /** Starts a build, or returns the one already running (one at a time: they share the store). */
  start(options: { noCache: boolean; actor: string }): ImageBuild;
  current(): { running?: ImageBuild; last?: ImageBuild };
  /** Resolves when no build is running (shutdown, tests). */
  idle(): Promise<void>;
};

const keepLines = 400;

export function createImageBuilds(deps: {
  podman: PodmanService;
  audit: AuditLog;
  /** After a successful build (e.g. to lock agents created before there was an image). */
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
      const image = await buildAgentImage(podman, {
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
    if (build.state === "succeeded") {
      await deps
        .onBuilt?.()
        .catch((error: Error) => console.error(`claw: after the image build: ${error.message}`));
    }
  }

  return {
    start({ noCache, actor }) {
      if (running) return running;
      const build: ImageBuild = {
        id: nextId++,
        image: "openclaw-agent",
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
