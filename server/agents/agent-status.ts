import { plainText } from "../../shared/log-lines";
import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import {
  type ClosableStream,
  type ContainerSummary,
  homeLabel,
  type Libpod,
  podmanMessage,
} from "../podman/libpod";
import { readLogTail } from "../podman/log-stream";
import { downActions, lastSightOf } from "./last-sight";

export type AgentState = "stopped" | "running" | "exited" | "created" | "paused" | "missing" | "unknown";

export type AgentLiveStatus = {
  state: AgentState;
  /** The Gateway answered /readyz through the ingress bridge on the last sweep. */
  ready: boolean;
  containerId: string | null;
  startedAt: string | null;
  exitCode: number | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** Why the state is what it is, when the panel did not cause it (e.g. removed outside the panel). */
  note: string | null;
};

export type OrphanContainer = { id: string; name: string; agent: string; state: string };

export type AgentStatusSnapshot = {
  podman: { reachable: boolean; error: string | null };
  sweptAt: string | null;
  /** When Podman last answered a sweep: the states are as of then (the UI shows how old they are). */
  freshAt: string | null;
  agents: Record<string, AgentLiveStatus>;
  orphans: OrphanContainer[];
};

export type AgentStatusTracker = {
  snapshot(): AgentStatusSnapshot;
  /** Looks again now (coalesced with a sweep already under way). */
  refresh(): Promise<AgentStatusSnapshot>;
  /** The panel is about to stop or remove this agent's container: not an unexpected exit. */
  expectChange(name: string): void;
  close(): void;
};

const stoppedStatus: AgentLiveStatus = {
  state: "stopped",
  ready: false,
  containerId: null,
  startedAt: null,
  exitCode: null,
  cpuPercent: null,
  memoryBytes: null,
  note: null,
};

function stateOf(container: ContainerSummary): AgentState {
  const known: AgentState[] = ["running", "exited", "created", "paused"];
  const state = container.State as AgentState;
  return known.includes(state) ? state : state === "stopped" ? "exited" : "unknown";
}

/**
 * Podman is the truth: a sweep lists this home's labelled containers every few seconds (every
 * second while a Gateway is still coming up), and Podman's event stream triggers one at once.
 * Changes the panel did not make are audited once.
 */
export function createAgentStatusTracker(deps: {
  db: Db;
  audit: AuditLog;
  homeId: string;
  libpod: () => Promise<Libpod>;
  intervalMs?: number;
  fastIntervalMs?: number;
  /** Called for each running agent on every sweep: a restarted panel restores what they rely on (ingress, egress). */
  onRunning?: (name: string) => Promise<void>;
  /**
   * Called once when a running agent stops without the panel (it exited, or was stopped or removed
   * outside), and once per panel run for each agent the first sweep finds not running (stopped,
   * exited or missing): it may have stopped while the panel was down, which no sweep saw.
   */
  onGone?: (name: string) => Promise<void>;
  /** Whether the agent's Gateway answers /readyz through its ingress. */
  probeReady: (name: string) => Promise<boolean>;
}): AgentStatusTracker {
  const intervalMs = deps.intervalMs ?? 5_000;
  const fastIntervalMs = deps.fastIntervalMs ?? 1_000;
  let current: AgentStatusSnapshot = {
    podman: { reachable: false, error: null },
    sweptAt: null,
    freshAt: null,
    agents: {},
    orphans: [],
  };
  let sweeping: Promise<AgentStatusSnapshot> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const expected = new Map<string, number>();
  // Agents a sweep with Podman reachable has looked at in this panel run.
  const looked = new Set<string>();
  let events: ClosableStream | undefined;

  // The last line an exited container wrote, read once per container and in the background (a
  // log may be long): the sweep that finds it ready shows it in the note.
  const lastLines = new Map<string, string | Promise<void>>();
  const lastLineOf = (libpod: Libpod, id: string): string | undefined => {
    const known = lastLines.get(id);
    if (typeof known === "string") return known;
    if (known === undefined)
      lastLines.set(
        id,
        readLogTail(libpod, id, { tail: 20, timestamps: false })
          .then((lines) => void lastLines.set(id, lastMeaningfulLine(lines)))
          .catch(() => void lastLines.set(id, ""))
          .finally(() => schedule(0)),
      );
    return undefined;
  };

  // What the panel's start found had happened while it was down (recover-agents audits it): shown
  // as the agent's note until its container changes.
  const downNotes = new Map<string, { containerId: string | null; note: string }>();
  const readDownNote = async (name: string) => {
    const sight = await lastSightOf(deps.db, name).catch(() => undefined);
    if (sight?.action === downActions.exited)
      downNotes.set(name, {
        containerId: sight.containerId,
        note: `Stopped while the panel was down (exit code ${sight.details.exitCode ?? "unknown"}).`,
      });
    else if (sight?.action === downActions.removed)
      downNotes.set(name, { containerId: null, note: "Its container was removed while the panel was down." });
  };
  const downNoteOf = (name: string, container: ContainerSummary | undefined) => {
    const down = downNotes.get(name);
    if (!down) return undefined;
    if ((container?.Id ?? null) === down.containerId && container?.State !== "running") return down.note;
    downNotes.delete(name);
    return undefined;
  };

  // Each agent's state before Podman stopped answering, for the note while it does not.
  const lastKnown = new Map<string, AgentState>();

  const isExpected = (name: string) => {
    const at = expected.get(name);
    return at !== undefined && Date.now() - at < 120_000;
  };

  async function sweep(): Promise<AgentStatusSnapshot> {
    const agents = await deps.db.agent.findMany({ select: { name: true } });
    let containers: ContainerSummary[];
    let libpod: Libpod;
    try {
      libpod = await deps.libpod();
      containers = await libpod.listContainers(`${homeLabel}=${deps.homeId}`);
      watchEvents(libpod);
    } catch (error) {
      // Degraded, not broken: Podman is gone or hung (every call has a deadline). Keep the last
      // known states, marked unknown with why, and keep trying.
      const why = podmanMessage(error);
      const stale = Object.fromEntries(
        agents.map(({ name }) => {
          const before = current.agents[name] ?? stoppedStatus;
          if (before.state !== "unknown") lastKnown.set(name, before.state);
          const known = lastKnown.get(name) ?? "stopped";
          const note = `Unknown: ${why}. Last known: ${known}${current.freshAt ? `, as of ${current.freshAt}` : ""}.`;
          return [name, { ...before, state: "unknown" as const, ready: false, note }];
        }),
      );
      return {
        podman: { reachable: false, error: why },
        sweptAt: new Date().toISOString(),
        freshAt: current.freshAt,
        agents: stale,
        orphans: current.orphans,
      };
    }
    const names = new Set(agents.map((agent) => agent.name));
    const byAgent = new Map<string, ContainerSummary>();
    const orphans: OrphanContainer[] = [];
    for (const container of containers) {
      const agent = container.Labels?.["claw.agent"] ?? "";
      if (names.has(agent)) byAgent.set(agent, container);
      else
        orphans.push({
          id: container.Id,
          name: container.Names[0] ?? container.Id.slice(0, 12),
          agent,
          state: container.State,
        });
    }
    const running = [...byAgent.values()].filter((container) => container.State === "running");
    const usage = await libpod.sampleUsage(running.map((container) => container.Id));
    const next: Record<string, AgentLiveStatus> = {};
    await Promise.all(
      agents.map(async ({ name }) => {
        const before = current.agents[name];
        // Through a Podman outage the state read "unknown": what it was before the outage counts,
        // or a container killed meanwhile would keep its egress proxy and go unaudited.
        const wasRunning = (before?.state === "unknown" ? lastKnown.get(name) : before?.state) === "running";
        lastKnown.delete(name);
        const container = byAgent.get(name);
        const firstLook = !looked.has(name);
        looked.add(name);
        if (firstLook) await readDownNote(name);
        const down = downNoteOf(name, container);
        if (!container) {
          const vanished = before?.containerId && !isExpected(name);
          next[name] = vanished
            ? { ...stoppedStatus, state: "missing", note: "Its container was removed outside the panel." }
            : before?.state === "missing"
              ? before
              : down
                ? { ...stoppedStatus, state: "missing", note: down }
                : stoppedStatus;
          if (vanished) {
            await reportUnexpected(name, "agent_container_removed", { containerId: before.containerId });
            if (wasRunning) await deps.onGone?.(name).catch(() => {});
          } else if (firstLook && !isExpected(name)) await deps.onGone?.(name).catch(() => {});
          return;
        }
        // A clean or SIGTERM exit is a stop (the panel's, or `podman stop`); anything else is a crash or a kill.
        const exitedCleanly = container.State === "exited" && [0, 143].includes(container.ExitCode);
        const state = exitedCleanly ? "stopped" : stateOf(container);
        // First restore what a running agent relies on (a restarted panel's ingress and egress); not
        // while the panel itself is starting or stopping it, which sets both up or tears them down.
        if (state === "running" && !isExpected(name)) await deps.onRunning?.(name).catch(() => {});
        const stoppedAtFirstLook = firstLook && (state === "stopped" || state === "exited");
        if (state !== "running" && (wasRunning || stoppedAtFirstLook) && !isExpected(name))
          await deps.onGone?.(name).catch(() => {});
        const ready = state === "running" && (await deps.probeReady(name));
        const sample = usage.get(container.Id);
        let note: string | null = null;
        if (state === "exited" && !isExpected(name)) {
          const last = lastLineOf(libpod, container.Id);
          note = `${down ?? `Exited on its own with code ${container.ExitCode}.`}${last ? ` Its last line: ${last}` : ""}`;
          if (wasRunning && before?.containerId === container.Id) {
            await reportUnexpected(name, "agent_exited", {
              containerId: container.Id,
              exitCode: container.ExitCode,
            });
          }
        }
        if (down && note === null) note = down;
        next[name] = {
          state,
          ready,
          containerId: container.Id,
          startedAt: container.StartedAt ? new Date(container.StartedAt * 1000).toISOString() : null,
          exitCode: container.State === "exited" ? container.ExitCode : null,
          cpuPercent: sample?.cpuPercent ?? null,
          memoryBytes: sample?.memoryBytes ?? null,
          note,
        };
        if (state === "running") expected.delete(name);
      }),
    );
    for (const id of lastLines.keys())
      if (!containers.some((container) => container.Id === id)) lastLines.delete(id);
    const sweptAt = new Date().toISOString();
    return {
      podman: { reachable: true, error: null },
      sweptAt,
      freshAt: sweptAt,
      agents: next,
      orphans,
    };
  }

  async function reportUnexpected(
    name: string,
    action: string,
    details: Record<string, string | number | null>,
  ) {
    await deps.audit
      .record({ category: "lifecycle", action, actor: "system", agent: name, outcome: "error", details })
      .catch(() => {});
  }

  function watchEvents(libpod: Libpod) {
    if (events || closed) return;
    libpod
      .watchEvents(`${homeLabel}=${deps.homeId}`)
      .then((stream) => {
        if (closed) return void stream.destroy();
        events = stream;
        stream.on("data", () => schedule(150));
        const lost = () => {
          events = undefined;
          schedule(1_000);
        };
        stream.on("end", lost);
        stream.on("error", lost);
      })
      .catch(() => {});
  }

  function schedule(delayMs: number) {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh().catch(() => {}), delayMs);
    timer.unref();
  }

  function refresh(): Promise<AgentStatusSnapshot> {
    if (sweeping) {
      again = true;
      return sweeping;
    }
    sweeping = sweep()
      .then((snapshot) => {
        current = snapshot;
        return snapshot;
      })
      .finally(() => {
        sweeping = undefined;
        if (again) {
          again = false;
          void refresh().catch(() => {});
          return;
        }
        const comingUp = Object.values(current.agents).some(
          (agent) => agent.state === "running" && !agent.ready,
        );
        schedule(comingUp ? fastIntervalMs : intervalMs);
      });
    return sweeping;
  }

  schedule(0);
  return {
    snapshot: () => current,
    refresh,
    expectChange(name) {
      expected.set(name, Date.now());
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      events?.destroy();
    },
  };
}

/** Pure: the last line with text of what a container wrote, as plain text, at most 300 characters. */
export function lastMeaningfulLine(lines: string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const plain = plainText(lines[i] ?? "").trim();
    if (plain) return plain.length > 300 ? `${plain.slice(0, 299)}…` : plain;
  }
  return "";
}
