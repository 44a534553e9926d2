"use client";

import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { Badge, Card, Facts, Fix, Skeleton } from "@/components/ui";
import { type PanelStatus, useLiveStatus } from "@/components/use-live-status";

function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function PodmanCard({ podman }: { podman: PanelStatus["podman"] }) {
  if (!podman.reachable) {
    return (
      <Card title="Podman" action={<Badge tone="fail">not reachable</Badge>}>
        <p className="text-sm">{podman.error?.message ?? "The Podman API did not answer."}</p>
        {podman.error?.fix ? <Fix command={podman.error.fix} /> : null}
        <p className="mt-3 text-sm">
          <Link href="/doctor" className="text-emerald-700 underline dark:text-emerald-400">
            Open the doctor
          </Link>{" "}
          for every host check.
        </p>
      </Card>
    );
  }
  return (
    <Card title="Podman" action={<Badge tone="ok">connected</Badge>}>
      <Facts
        rows={[
          ["Version", podman.version],
          ["API socket", podman.socketPath ? `${podman.socketPath} (${podman.source})` : undefined],
          ["Mode", podman.rootless === undefined ? undefined : podman.rootless ? "rootless" : "rootful"],
          ["cgroups", podman.cgroupVersion],
          ["OCI runtime", podman.ociRuntime],
          [
            "Containers",
            podman.containers
              ? `${podman.containers.running} running of ${podman.containers.total}`
              : undefined,
          ],
          [
            "Host workaround",
            podman.workaround.active ? (
              <span key="workaround" title={podman.workaround.reasons.join("; ")}>
                active <span className="text-zinc-500">({podman.workaround.reasons.join("; ")})</span>
              </span>
            ) : (
              "not needed"
            ),
          ],
        ]}
      />
    </Card>
  );
}

export default function HomePage() {
  const { status, error, connection, refetch } = useLiveStatus();
  return (
    <div className="space-y-6">
      <PageHeader
        title="Overview"
        description="The panel and the Podman engine your agents will run on."
        actions={
          <Badge tone={connection === "live" ? "ok" : "neutral"}>
            {connection === "live" ? "● live" : connection === "connecting" ? "connecting…" : "reconnecting…"}
          </Badge>
        }
      />
      {error && !status ? (
        <Card title="Status">
          <p className="text-sm text-red-700 dark:text-red-400">Could not load the status: {error.message}</p>
          <button
            type="button"
            onClick={() => refetch()}
            className="mt-3 rounded-md bg-zinc-900 px-3 py-1.5 text-sm text-white dark:bg-zinc-100 dark:text-zinc-900"
          >
            Try again
          </button>
        </Card>
      ) : !status ? (
        <div className="grid gap-6 md:grid-cols-2">
          <Card title="Panel">
            <Skeleton />
          </Card>
          <Card title="Podman">
            <Skeleton lines={6} />
          </Card>
        </div>
      ) : (
        <div className="grid gap-6 md:grid-cols-2">
          <Card title="Panel" action={<Badge tone="ok">running</Badge>}>
            <Facts
              rows={[
                ["Version", status.panel.version],
                ["Address", status.panel.url],
                ["Up for", formatUptime(status.panel.uptimeSeconds)],
                [
                  "State",
                  <code key="home" className="font-mono text-xs">
                    {status.panel.home}
                  </code>,
                ],
              ]}
            />
          </Card>
          <PodmanCard podman={status.podman} />
        </div>
      )}
    </div>
  );
}
