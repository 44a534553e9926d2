import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/root";

type AgentsOutputs = inferRouterOutputs<AppRouter>["agents"];

export type AgentList = AgentsOutputs["list"];
export type AgentListItem = AgentList["agents"][number];
export type AgentLive = NonNullable<AgentListItem["live"]>;
export type AgentInspect = AgentsOutputs["inspect"];
export type AgentContainer = NonNullable<AgentInspect["container"]>;

/** How often the pages ask for the agents' status; the server itself re-checks Podman every 1–5 s. */
export const livePollMs = 2_000;

/** `localhost/claw-openclaw-agent:latest` → `claw-openclaw-agent:latest`: the registry says little here. */
export function shortImage(ref: string): string {
  return ref.replace(/^localhost\//, "");
}

/** Which lifecycle actions make sense in a state; Podman decides in the end and says why if not. */
export function actionsFor(live: AgentLive | null): { start: boolean; stop: boolean; restart: boolean } {
  const state = live?.state ?? "stopped";
  switch (state) {
    case "running":
      return { start: false, stop: true, restart: true };
    case "paused":
      return { start: false, stop: true, restart: false };
    case "unknown":
      return { start: true, stop: true, restart: false };
    default:
      return { start: true, stop: false, restart: false };
  }
}

/** Whether the agent can reach its model: the route, and the secret it lacks with the fix. */
export type AgentModel = NonNullable<AgentListItem["model"]>;
export type ModelUsage = AgentsOutputs["modelUsage"];
export type UsageDay = ModelUsage["days"][number];
