"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, Facts, QueryState } from "@/components/ui";
import type { AgentModel, ModelUsage, UsageDay } from "./agent-types";
import { compactCount, hasUsage, usageBars, usageSummary, weekday } from "./model-usage";
import { modelReady, NoModelNote } from "./status-badge";

/** How often the card asks for the agent's model use while it is shown. */
export const modelUsagePollMs = 5_000;

function Count({ value }: { value: number }) {
  return <span title={value.toLocaleString()}>{compactCount(value)}</span>;
}

function Today({ day }: { day: UsageDay }) {
  return (
    <span className="tabular-nums">
      {day.requests.toLocaleString()} {day.requests === 1 ? "request" : "requests"} ·{" "}
      <Count value={day.inputTokens} /> tokens in / <Count value={day.outputTokens} /> out
      {day.errors > 0 ? (
        <span className="text-red-700 dark:text-red-400">
          {" "}
          · {day.errors.toLocaleString()} {day.errors === 1 ? "error" : "errors"}
        </span>
      ) : null}
    </span>
  );
}

/** Requests per day as bars (errors as the red top of a bar), the exact figures for screen readers and on hover. */
function WeekChart({ days }: { days: UsageDay[] }) {
  const bars = usageBars(days);
  return (
    <figure>
      <figcaption className="mb-2 text-xs text-zinc-500 dark:text-zinc-400">Requests, last 7 days</figcaption>
      <ol className="flex gap-1.5">
        {days.map((day, index) => {
          const bar = bars[index];
          const label = index === days.length - 1 ? "today" : weekday(day.day);
          const errorShare = day.requests ? Math.round((day.errors / day.requests) * 100) : 0;
          return (
            <li
              key={day.day}
              className="flex flex-1 flex-col items-center gap-1"
              title={`${day.day}: ${usageSummary(day)}`}
            >
              <div aria-hidden className="flex h-20 w-full items-end rounded bg-zinc-100 dark:bg-zinc-800/60">
                {bar && bar.heightPercent > 0 ? (
                  <div
                    className="flex w-full flex-col overflow-hidden rounded bg-emerald-500 dark:bg-emerald-600"
                    style={{ height: `${bar.heightPercent}%` }}
                  >
                    {errorShare > 0 ? (
                      <div className="w-full bg-red-500" style={{ height: `${Math.max(errorShare, 8)}%` }} />
                    ) : null}
                  </div>
                ) : null}
              </div>
              <span aria-hidden className="text-xs text-zinc-500 dark:text-zinc-400">
                {label}
              </span>
              <span className="sr-only">
                {label === "today" ? "Today" : `${label} ${day.day}`}: {usageSummary(day)}
              </span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}

function UsageView({ usage }: { usage: ModelUsage }) {
  if (!hasUsage(usage.days))
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">No model requests yet.</p>;
  return (
    <div className="space-y-4">
      <Facts
        rows={[
          ["Today", <Today key="t" day={usage.today} />],
          [
            "Last model",
            usage.lastModel ? (
              <span key="m" className="break-all font-mono text-xs">
                {usage.lastModel}
              </span>
            ) : null,
          ],
        ]}
      />
      <WeekChart days={usage.days} />
    </div>
  );
}

/**
 * Where the agent's model requests go (through the panel's gateway), whether they can, and how
 * many it made today and this week; refreshed every few seconds while shown.
 */
export function AgentModelCard({ name, model }: { name: string; model: AgentModel }) {
  const trpc = useTRPC();
  const usage = useQuery({
    ...trpc.agents.modelUsage.queryOptions({ name }),
    refetchInterval: modelUsagePollMs,
  });
  const ready = modelReady(model);
  return (
    <Card title="Model" action={<Badge tone={ready ? "ok" : "warn"}>{ready ? "ready" : "no model"}</Badge>}>
      <div className="space-y-4" data-model-ready={ready ? "yes" : "no"}>
        <Facts
          rows={[
            [
              "Route",
              model.route ? (
                <span key="r" className="break-all font-mono text-xs">
                  {model.route}
                </span>
              ) : (
                "none"
              ),
            ],
          ]}
        />
        {ready ? null : (
          <p>
            <NoModelNote model={model} />
          </p>
        )}
        <QueryState query={usage} errorTitle="Could not load the model use" lines={3}>
          {(data) => <UsageView usage={data} />}
        </QueryState>
      </div>
    </Card>
  );
}
