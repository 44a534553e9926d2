"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { mib } from "@/components/format";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, DataTable, ErrorAlert, primaryButtonClass, QueryState } from "@/components/ui";
import type { ImageKind } from "@/server/images/image-kinds";

function age(iso: string): string {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

/** The images claw builds; the agent image's button keeps the plain "Build" it always had. */
const kinds: { kind: ImageKind; title: string; description: string; buttonSuffix: string }[] = [
  {
    kind: "openclaw-agent",
    title: "OpenClaw agent",
    description: "Node 24 and the pinned OpenClaw, run as each agent's container.",
    buttonSuffix: "",
  },
  {
    kind: "claude-code",
    title: "Claude Code",
    description: "The pinned Claude Code binary with git and bash, run once per job.",
    buttonSuffix: " Claude Code",
  },
];

const titleOf = (kind: string) => kinds.find((entry) => entry.kind === kind)?.title ?? kind;

export default function ImagesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [noCache, setNoCache] = useState(false);
  // While a build runs, look every second; otherwise now and then.
  const list = useQuery({
    ...trpc.images.list.queryOptions(),
    refetchInterval: (query) => (query.state.data?.running ? 1_000 : 15_000),
  });
  const build = useMutation(
    trpc.images.build.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.images.list.queryKey() }),
    }),
  );
  const running = list.data?.running;
  const shown = running ?? list.data?.last;
  const latestOf = (kind: ImageKind) =>
    list.data?.images.find((image) => image.labels["claw.image"] === kind && image.ref.endsWith(":latest"));

  return (
    <div className="space-y-6">
      <PageHeader
        title="Images"
        description="Built here on a Debian base without a registry, each cached by a hash of its inputs."
        actions={
          <label className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} /> no
            cache
          </label>
        }
      />

      <div className="grid gap-6 md:grid-cols-2">
        {kinds.map(({ kind, title, description, buttonSuffix }) => {
          const latest = latestOf(kind);
          return (
            <Card
              key={kind}
              title={title}
              action={
                <button
                  type="button"
                  disabled={Boolean(running) || build.isPending}
                  onClick={() => build.mutate({ image: kind, noCache })}
                  className={primaryButtonClass}
                >
                  {running?.image === kind ? "Building…" : `${latest ? "Rebuild" : "Build"}${buttonSuffix}`}
                </button>
              }
            >
              <p className="text-sm text-zinc-600 dark:text-zinc-400">{description}</p>
              <p className="mt-2 font-mono text-xs text-zinc-500">
                {latest
                  ? `${latest.ref} · ${mib(latest.sizeBytes)} · ${age(latest.created)}`
                  : "not built yet"}
              </p>
            </Card>
          );
        })}
      </div>

      <ErrorAlert error={build.error} title="The build did not start" />

      {shown ? (
        <Card
          title={`Build #${shown.id} · ${titleOf(shown.image)}`}
          action={
            <Badge tone={shown.state === "succeeded" ? "ok" : shown.state === "failed" ? "fail" : "neutral"}>
              {shown.state === "succeeded" && shown.result?.cached ? "up to date" : shown.state}
            </Badge>
          }
        >
          <div
            role="progressbar"
            aria-label="Build progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={shown.percent}
            className="h-2 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
          >
            <div className="h-full bg-emerald-600 transition-all" style={{ width: `${shown.percent}%` }} />
          </div>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            {shown.state === "running" ? `${shown.step}…` : shown.result ? shown.result.ref : null}
          </p>
          {shown.error ? (
            <div role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
              <p>{shown.error.message}</p>
              {shown.error.fix ? <p className="mt-1 font-mono text-xs">fix: {shown.error.fix}</p> : null}
            </div>
          ) : null}
          {shown.lines.length > 0 ? (
            <pre
              data-testid="build-output"
              className="mt-3 max-h-72 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-200"
            >
              {shown.lines.slice(-80).join("\n")}
            </pre>
          ) : null}
        </Card>
      ) : null}

      <Card title="Images in Podman">
        <QueryState
          query={{ data: list.data?.images, error: list.error }}
          errorTitle="Could not list images"
          lines={3}
          empty="No claw images yet. Build one above (about a minute the first time)."
        >
          {(images) => (
            <DataTable label="Images" columns={["Image", "Kind", "Id", "Size", "Built"]}>
              {images.map((image) => (
                <tr key={image.ref}>
                  <td className="py-2 pr-3 font-mono text-xs">{image.ref}</td>
                  <td className="py-2 pr-3">
                    {image.labels["claw.image"] ? titleOf(image.labels["claw.image"]) : "Base"}
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs" title={image.id}>
                    {image.id.slice(7, 19)}
                  </td>
                  <td className="py-2 pr-3">{mib(image.sizeBytes)}</td>
                  <td className="py-2">{age(image.created)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
