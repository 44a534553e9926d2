import { Badge, type Tone } from "@/components/ui";
import { errorTypeHelp, type JobStatus, statusTone } from "./job-types";

/** The job's status, with `data-job-status` for tests and scripts. */
export function JobStatusBadge({ status, stopping }: { status: string; stopping?: string | null }) {
  const tone = statusTone[status as JobStatus] ?? "neutral";
  const label =
    status === "running" && stopping ? (stopping === "cancelled" ? "cancelling…" : "stopping…") : status;
  return (
    <span data-job-status={status} title={stopping ? `stopping: ${stopping.replace(/_/g, " ")}` : undefined}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}

const activityTone: Record<string, Tone> = { active: "ok", processing: "warn", idle: "neutral" };
const activityHelp: Record<string, string> = {
  active: "Printed output in the last 10 s",
  processing: "A tool call is open, or output came within the last minute",
  idle: "No output for a minute and no tool call open",
};

/** Whether a running job is printing, waiting on a tool or the model, or quiet. */
export function ActivityBadge({ activity }: { activity: string | null | undefined }) {
  if (!activity) return null;
  return (
    <span data-job-activity={activity} title={activityHelp[activity]}>
      <Badge tone={activityTone[activity] ?? "neutral"}>{activity}</Badge>
    </span>
  );
}

export function ErrorTypeBadge({ errorType }: { errorType: string | null | undefined }) {
  if (!errorType) return null;
  return (
    <span data-job-error-type={errorType} title={errorTypeHelp[errorType]}>
      <Badge tone="fail">{errorType.replace(/_/g, " ")}</Badge>
    </span>
  );
}
