import { describe, expect, it } from "vitest";
import { type AgentTable, continuationIndex, formatAgents, formatUptime, stateText } from "./agent-commands";

type Live = NonNullable<AgentTable["agents"][number]["live"]>;

const now = Date.parse("2026-05-01T12:00:00Z");
const live = (fields: Partial<Live>): Live => ({
  state: "running",
  ready: true,
  containerId: "c0ffee",
  startedAt: new Date(now - 90_000).toISOString(),
  exitCode: null,
  cpuPercent: 1.25,
  memoryBytes: 800 * 1024 ** 2,
  note: null,
  ...fields,
});

describe("formatUptime", () => {
  it("uses seconds, then minutes, then hours, and nothing for no start", () => {
    const ago = (seconds: number) => formatUptime(new Date(now - seconds * 1000).toISOString(), now);
    expect(ago(0)).toBe("0 s");
    expect(ago(119)).toBe("119 s");
    expect(ago(120)).toBe("2 min");
    expect(ago(7199)).toBe("120 min");
    expect(ago(7200)).toBe("2 h");
    expect(ago(72 * 3600)).toBe("72 h");
    expect(formatUptime(null, now)).toBe("");
  });

  it("shows a start a little in the future (clock skew) as 0 s", () => {
    expect(formatUptime(new Date(now + 5000).toISOString(), now)).toBe("0 s");
  });
});

describe("stateText", () => {
  it("says ready or starting for a running agent, the exit code for an exited one", () => {
    expect(stateText(live({}))).toBe("ready");
    expect(stateText(live({ ready: false }))).toBe("starting");
    expect(stateText(live({ state: "exited", exitCode: 137 }))).toBe("exited 137");
    expect(stateText(live({ state: "exited", exitCode: null }))).toBe("exited");
    expect(stateText(live({ state: "missing" }))).toBe("missing");
    expect(stateText(null)).toBe("unknown");
    // Ready, but its model key is not set: it cannot answer yet.
    const noKey = {
      route: "anthropic/x at api.anthropic.com",
      missingSecret: "anthropic-api-key",
      fix: "set it",
    };
    expect(stateText(live({}), noKey)).toBe("no model");
    expect(stateText(live({}), { ...noKey, missingSecret: null, fix: null })).toBe("ready");
  });
});

describe("continuationIndex", () => {
  it("starts after the last lines already printed", () => {
    expect(continuationIndex(["b", "c"], ["a", "b", "c", "d", "e"])).toBe(3);
    expect(continuationIndex(["c"], ["a", "b", "c"])).toBe(3);
  });

  it("takes the last match when the printed lines repeat in the batch", () => {
    expect(continuationIndex(["x", "y"], ["x", "y", "z", "x", "y", "w"])).toBe(5);
    expect(continuationIndex(["x", "x"], ["x", "x", "x", "y"])).toBe(3);
  });

  it("prints the whole batch when nothing was printed or the printed lines scrolled away", () => {
    expect(continuationIndex([], ["a", "b"])).toBe(0);
    expect(continuationIndex(["old"], ["a", "b"])).toBe(0);
    expect(continuationIndex(["a", "b", "c"], ["b", "c"])).toBe(0);
  });
});

describe("formatAgents", () => {
  const podman = { reachable: true, error: null };

  it("points at how to make an agent when there is none", () => {
    expect(formatAgents({ agents: [], podman, orphans: [] })).toBe(
      "no agents yet: claw agents create --template coder --name my-coder",
    );
  });

  it("lists agents with state, uptime and usage, then says what else is wrong", () => {
    const text = formatAgents(
      {
        agents: [
          { name: "coder", template: "coder", networkProfile: "restricted", live: live({}) },
          { name: "idle", template: "minimal", networkProfile: "none", live: live({ state: "stopped" }) },
        ],
        podman: {
          reachable: false,
          error: "Podman is not reachable at /run/podman/podman.sock (no socket there)",
        },
        freshAt: null,
        orphans: [{ name: "claw-agent-ghost", state: "running" }],
      },
      now,
    );
    expect(text.split("\n")).toEqual([
      "NAME                 STATUS     TEMPLATE   NETWORK    UPTIME   CPU/MEM",
      "coder                ready      coder      restricted 90 s     1.3% 800 MiB",
      "idle                 stopped    minimal    none",
      "Podman is not reachable at /run/podman/podman.sock (no socket there). States are the last known.",
      "orphan container claw-agent-ghost (running) of no agent: remove it on the Agents page",
    ]);
  });
});
