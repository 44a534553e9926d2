import { describe, expect, it } from "vitest";
import type { AuditLog } from "../audit/audit-log";
import type { PodmanService } from "../podman/podman-service";
import { createImageBuilds } from "./image-builds";

/** A Podman that is not reachable: every build fails at once with this message. */
const unreachable: PodmanService = {
  get: () => Promise.reject(new Error("podman unreachable (test)")),
  status: () => Promise.reject(new Error("podman unreachable (test)")),
  close: async () => {},
};

function recordingAudit() {
  const events: { action: string; details: unknown }[] = [];
  const audit = {
    record: async (event: { action: string; details: unknown }) => {
      events.push(event);
      return {};
    },
  } as unknown as AuditLog;
  return { audit, events };
}

describe("createImageBuilds", () => {
  it("runs one build at a time: the same image joins it, another image is refused", async () => {
    const { audit, events } = recordingAudit();
    const builds = createImageBuilds({ podman: unreachable, audit });

    const agent = builds.start({ image: "openclaw-agent", noCache: false, actor: "test" });
    expect(agent).toMatchObject({ id: 1, image: "openclaw-agent", state: "running" });
    expect(builds.start({ image: "openclaw-agent", noCache: true, actor: "test" })).toBe(agent);
    expect(() => builds.start({ image: "claude-code", noCache: false, actor: "test" })).toThrow(
      expect.objectContaining({
        code: "CONFLICT",
        message: "The openclaw-agent image is being built (build #1)",
      }),
    );

    await builds.idle();
    expect(builds.current()).toEqual({ running: undefined, last: agent });
    expect(agent).toMatchObject({ state: "failed", error: { message: "podman unreachable (test)" } });

    const claude = builds.start({ image: "claude-code", noCache: false, actor: "test" });
    expect(claude).toMatchObject({ id: 2, image: "claude-code" });
    await builds.idle();
    expect(events.map((event) => [event.action, (event.details as { image: string }).image])).toEqual([
      ["image_build_started", "openclaw-agent"],
      ["image_build_finished", "openclaw-agent"],
      ["image_build_started", "claude-code"],
      ["image_build_finished", "claude-code"],
    ]);
  });
});
