import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { Tone } from "@/components/ui";
import type { AppRouter } from "@/server/routers/root";

type JobsOutputs = inferRouterOutputs<AppRouter>["jobs"];

export type JobListItem = JobsOutputs["list"]["jobs"][number];
export type JobDetail = JobsOutputs["get"];
export type JobSessionItem = JobsOutputs["sessions"][number];
/** An agent's job policy (null: it may start none) and how much of it is in use. */
export type AgentJobQuota = JobsOutputs["agentQuota"];
export type JobSettingsView = JobsOutputs["settings"];
/** What `jobs.configure` takes: a left-out non-secret setting goes back to its default. */
export type JobSettingsInput = inferRouterInputs<AppRouter>["jobs"]["configure"];
export type JobResultSummary = NonNullable<JobDetail["result"]>;
export type JobStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

/** How often the pages ask again while a job waits or runs (the runner updates its counters every second). */
export const jobsPollMs = 2_000;

export const statusTone: Record<JobStatus, Tone> = {
  pending: "neutral",
  running: "warn",
  completed: "ok",
  failed: "fail",
  cancelled: "neutral",
};

export const isLive = (status: string) => status === "pending" || status === "running";

/** What an error type means, for a tooltip: the runner's own stops and Claude Code's API errors. */
export const errorTypeHelp: Record<string, string> = {
  startup_timeout: "Claude Code printed nothing in time after its container started",
  idle_timeout: "No output for longer than the template allows",
  max_duration: "Ran longer than the template allows",
  output_limit: "Printed more output than the template allows",
  oom: "The container ran out of memory",
  crash: "Claude Code exited without a result",
  rate_limit: "The model API refused: rate limit",
  auth_failed: "The model API refused the credentials",
  api_error: "The model API answered with an error",
};

/** "4.2 s", "3 min 05 s", "2 h 10 min": a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms / 1000);
  // Tenths rounded down like the larger units, so 9.96 s reads "9.9 s", never "10.0 s".
  if (seconds < 10) return `${(Math.floor(Math.max(0, ms) / 100) / 10).toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** How long the job has run (live while it runs), or waited while pending. */
export function elapsedOf(
  job: { status: string; createdAt: string; startedAt: string | null; finishedAt: string | null },
  now: number,
): string | null {
  if (job.startedAt) {
    const end = job.finishedAt ? new Date(job.finishedAt).getTime() : now;
    return formatDuration(end - new Date(job.startedAt).getTime());
  }
  if (job.status === "pending") return `waiting ${formatDuration(now - new Date(job.createdAt).getTime())}`;
  return null;
}

/** "12 h", "7 d", "36 h": hours as people set them. */
export const formatHours = (hours: number) =>
  hours >= 48 && hours % 24 === 0 ? `${hours / 24} d` : `${hours.toLocaleString()} h`;

export const formatUsd = (usd: number) => `$${usd > 0 && usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;

/** Claude Code's session ids are UUIDs: the first group tells them apart on a page. */
export const shortClaudeSession = (id: string) => id.split("-")[0] ?? id;

/** Token counts from a result's `usage`, the ones worth a line. */
export function tokensOf(usage: Record<string, unknown> | null | undefined): string | null {
  if (!usage) return null;
  const count = (key: string) => (typeof usage[key] === "number" ? (usage[key] as number) : 0);
  const parts = [
    `${count("input_tokens").toLocaleString()} in`,
    `${count("output_tokens").toLocaleString()} out`,
  ];
  if (count("cache_read_input_tokens"))
    parts.push(`${count("cache_read_input_tokens").toLocaleString()} cache read`);
  if (count("cache_creation_input_tokens"))
    parts.push(`${count("cache_creation_input_tokens").toLocaleString()} cache write`);
  return parts.join(" · ");
}
