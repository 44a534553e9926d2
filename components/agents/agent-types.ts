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

/** "2 h 5 min", "41 s": how long ago `iso` was, for uptimes. */
export function since(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

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

export const buttonClass =
  "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:cursor-not-allowed disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";

export const smallButtonClass =
  "rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:cursor-not-allowed disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";

export const dangerButtonClass =
  "rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-red-600 disabled:cursor-not-allowed disabled:opacity-60 dark:border-red-900 dark:text-red-400 dark:hover:bg-red-950/40";

export const smallDangerButtonClass =
  "rounded-md border border-red-300 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-red-600 disabled:cursor-not-allowed disabled:opacity-60 dark:border-red-900 dark:text-red-400 dark:hover:bg-red-950/40";

export const primaryButtonClass =
  "rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:cursor-not-allowed disabled:opacity-50";
