import { mib } from "@/components/format";
import { formatDuration, type JobDetail } from "./job-types";

type Sample = JobDetail["metrics"][number];

const width = 240;
const height = 48;

/** Pure: the polyline points of `values` over `times`, scaled to the box (the top is `max`). */
export function sparkPoints(times: number[], values: number[], max: number): string {
  const t0 = times[0] ?? 0;
  const span = Math.max(1, (times.at(-1) ?? t0) - t0);
  return values
    .map((value, i) => {
      const x = (((times[i] ?? t0) - t0) / span) * width;
      const y = height - (Math.max(0, value) / max) * (height - 2) - 1;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

function Sparkline({
  label,
  latest,
  peak,
  times,
  values,
  max,
  className,
}: {
  label: string;
  latest: string;
  peak: string;
  times: number[];
  values: number[];
  max: number;
  className: string;
}) {
  return (
    <figure className="space-y-1">
      <figcaption className="flex items-baseline justify-between gap-3 text-sm">
        <span className="text-zinc-500 dark:text-zinc-400">{label}</span>
        <span className="tabular-nums">
          <span className="font-medium" data-metric={label.toLowerCase()}>
            {latest}
          </span>{" "}
          <span className="text-xs text-zinc-500 dark:text-zinc-400">peak {peak}</span>
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: now ${latest}, peak ${peak}`}
        className="h-12 w-full rounded bg-zinc-50 dark:bg-zinc-950"
      >
        {values.length > 1 ? (
          <polyline
            points={sparkPoints(times, values, max)}
            fill="none"
            strokeWidth="1.5"
            vectorEffect="non-scaling-stroke"
            className={className}
          />
        ) : null}
      </svg>
    </figure>
  );
}

/**
 * CPU and memory of the job's container, sampled every 2 s while it runs. CPU is drawn against
 * one full CPU (100 %) or its peak if higher; memory against a little above its peak.
 */
export function JobMetrics({ metrics, running }: { metrics: Sample[]; running: boolean }) {
  if (metrics.length < 2)
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">
        {running
          ? "The first samples come within a few seconds."
          : "Nothing to chart: the job ended within a sample or two."}
      </p>
    );
  const times = metrics.map((sample) => sample.t);
  const cpu = metrics.map((sample) => sample.cpuPercent);
  const memory = metrics.map((sample) => sample.memoryBytes);
  const last = metrics.at(-1) as Sample;
  const cpuPeak = Math.max(...cpu);
  const memoryPeak = Math.max(...memory);
  const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
  return (
    <div className="space-y-3">
      <Sparkline
        label="CPU"
        latest={running ? `${last.cpuPercent.toFixed(1)} %` : "—"}
        peak={`${cpuPeak.toFixed(1)} %`}
        times={times}
        values={cpu}
        max={Math.max(100, cpuPeak * 1.1)}
        className="stroke-emerald-600 dark:stroke-emerald-400"
      />
      <Sparkline
        label="Memory"
        latest={running ? mib(last.memoryBytes) : "—"}
        peak={mib(memoryPeak)}
        times={times}
        values={memory}
        max={Math.max(memoryPeak, 1) * 1.25}
        className="stroke-sky-600 dark:stroke-sky-400"
      />
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Sampled every 2 s; the chart spans {formatDuration(span)}
        {running ? " and follows the job" : ""}.
      </p>
    </div>
  );
}
