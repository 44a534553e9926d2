"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { AuditEvent } from "@/components/audit/audit-types";
import { useAuditLive } from "@/components/audit/use-audit-live";
import { formatBytes, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, Checkbox, DataTable, ErrorAlert, Facts, QueryState, Skeleton } from "@/components/ui";

const recentLimit = 100;

type EgressDetails = {
  host?: string;
  port?: number;
  method?: string;
  reason?: string;
  rule?: string;
  address?: string;
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
  status?: number | null;
  error?: string | null;
};

function ConnectionRow({ event }: { event: AuditEvent }) {
  const details = (event.details ?? {}) as EgressDetails;
  const denied = event.outcome === "denied";
  return (
    <tr data-outcome={event.outcome} className={denied ? "bg-red-50/60 dark:bg-red-950/20" : undefined}>
      <td className="whitespace-nowrap py-1.5 pr-3 text-zinc-500">{formatTime(event.time)}</td>
      <td className="py-1.5 pr-3">
        <Badge tone={denied ? "fail" : "ok"}>{denied ? "denied" : "allowed"}</Badge>
      </td>
      <td className="break-all py-1.5 pr-3 font-mono text-xs">
        {details.method ? `${details.method} ` : ""}
        {details.host}:{details.port}
      </td>
      <td className="py-1.5 text-zinc-600 dark:text-zinc-400">
        {denied
          ? details.reason
          : [
              details.rule ? `by ${details.rule}` : null,
              details.address ? `to ${details.address}` : null,
              `↑ ${formatBytes(details.bytesUp ?? 0)} ↓ ${formatBytes(details.bytesDown ?? 0)}`,
              details.durationMs != null ? `${details.durationMs} ms` : null,
              details.status ? `HTTP ${details.status}` : null,
              details.error ? `ended: ${details.error}` : null,
            ]
              .filter(Boolean)
              .join(" · ")}
      </td>
    </tr>
  );
}

/**
 * What the agent may reach and what it tried: the rules its proxy enforces, totals and
 * destinations from the audit log, and every connection as it happens (the audit live tail).
 */
export function AgentEgressTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const filter = useMemo(() => ({ category: "egress" as const, agent: name }), [name]);
  const egress = useQuery(trpc.agents.egress.queryOptions({ name }));
  const recent = useQuery(trpc.audit.list.queryOptions({ filter, limit: recentLimit }));
  const live = useAuditLive(filter, true);
  const [deniedOnly, setDeniedOnly] = useState(false);

  // Each new connection changes the totals: read them again, at most once a second.
  const newest = live.events[0]?.id;
  useEffect(() => {
    if (newest === undefined) return;
    const timer = setTimeout(
      () => void queryClient.invalidateQueries({ queryKey: trpc.agents.egress.queryKey({ name }) }),
      1000,
    );
    return () => clearTimeout(timer);
  }, [newest, name, queryClient, trpc]);

  const connections = useMemo(() => {
    const seen = new Set<number>();
    return [...live.events, ...(recent.data?.events ?? [])].filter((event) => {
      if (seen.has(event.id)) return false;
      seen.add(event.id);
      return !deniedOnly || event.outcome === "denied";
    });
  }, [live.events, recent.data, deniedOnly]);

  if (egress.error) return <ErrorAlert error={egress.error} title="Could not load the egress" />;
  const data = egress.data;
  if (!data) return <Skeleton lines={6} />;
  const { totals } = data;
  const auditHref = `/audit?category=egress&agent=${encodeURIComponent(name)}`;

  return (
    <div className="space-y-6">
      <EnforcementNote profile={data.profile} proxied={data.proxied} proxyRunning={data.proxyRunning} />

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Allowed destinations">
          {!data.proxied ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {data.profile === "none" ? "None: this agent has no network." : "Any: no allowlist applies."}
            </p>
          ) : data.rules.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              None: the allowlist is empty, so the proxy refuses every connection.
            </p>
          ) : (
            <DataTable label="Egress rules" columns={["Host", "Ports"]} scroll={false}>
              {data.rules.map((rule) => (
                <tr key={rule.text}>
                  <td className="py-1.5 pr-3 font-mono text-xs">
                    {rule.host}
                    {rule.mapped.map((entry) => (
                      <div key={entry.host} className="font-sans text-amber-700 dark:text-amber-400">
                        {entry.host} is mapped to {entry.address} by CLAW_EGRESS_RESOLVE
                      </div>
                    ))}
                  </td>
                  <td className="py-1.5">{rule.ports.join(", ")}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
            From the agent&apos;s signed lock; change it in the template and re-lock.
          </p>
        </Card>

        <Card title="Totals">
          <Facts
            rows={[
              [
                "Allowed",
                <span key="a" data-testid="egress-allowed">
                  {totals.allowed.toLocaleString()}
                </span>,
              ],
              [
                "Denied",
                <span
                  key="d"
                  data-testid="egress-denied"
                  className={totals.denied > 0 ? "font-semibold text-red-700 dark:text-red-400" : undefined}
                >
                  {totals.denied.toLocaleString()}
                </span>,
              ],
              ["Sent", formatBytes(totals.bytesUp)],
              ["Received", formatBytes(totals.bytesDown)],
              [
                "Recorded",
                totals.firstAt && totals.lastAt
                  ? `${formatTime(totals.firstAt)} to ${formatTime(totals.lastAt)}`
                  : "no connections yet",
              ],
            ]}
          />
        </Card>
      </div>

      {data.hosts.length > 0 ? (
        <Card title="Destinations">
          <DataTable
            label="Egress destinations"
            columns={["Destination", "Allowed", "Denied", "Sent", "Received", "Last"]}
          >
            {data.hosts.map((host) => (
              <tr key={`${host.host}:${host.port}`}>
                <td className="break-all py-1.5 pr-3 font-mono text-xs">
                  {host.host}:{host.port}
                </td>
                <td className="py-1.5 pr-3">{host.allowed}</td>
                <td className={`py-1.5 pr-3 ${host.denied ? "text-red-700 dark:text-red-400" : ""}`}>
                  {host.denied}
                </td>
                <td className="py-1.5 pr-3">{formatBytes(host.bytesUp)}</td>
                <td className="py-1.5 pr-3">{formatBytes(host.bytesDown)}</td>
                <td className="whitespace-nowrap py-1.5 text-zinc-500">{formatTime(host.lastAt)}</td>
              </tr>
            ))}
          </DataTable>
        </Card>
      ) : null}

      <Card
        title="Connections"
        action={
          <div className="flex items-center gap-3 text-sm">
            <span aria-live="polite" className="text-xs text-zinc-500 dark:text-zinc-400">
              {live.state === "live"
                ? "● live"
                : live.state === "closed"
                  ? "disconnected: reload"
                  : "connecting…"}
            </span>
            <Checkbox checked={deniedOnly} onChange={setDeniedOnly}>
              Denied only
            </Checkbox>
            <a href={auditHref} className="text-emerald-700 underline dark:text-emerald-400">
              In the audit log
            </a>
          </div>
        }
      >
        <QueryState
          query={{ data: recent.data && connections, error: recent.error }}
          errorTitle="Could not load the connections"
          empty={
            deniedOnly
              ? "No denied connections."
              : "No connections yet. Each one the agent makes, allowed or denied, appears here as it happens."
          }
        >
          {(shown) => (
            <DataTable label="Egress connections" columns={["Time", "Verdict", "Destination", "Details"]}>
              {shown.map((event) => (
                <ConnectionRow key={event.id} event={event} />
              ))}
            </DataTable>
          )}
        </QueryState>
        <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
          An allowed connection is recorded when it ends, with its bytes and duration; a denied one at once.
        </p>
      </Card>
    </div>
  );
}

function EnforcementNote({
  profile,
  proxied,
  proxyRunning,
}: {
  profile: string;
  proxied: boolean;
  proxyRunning: boolean;
}) {
  const [tone, text] =
    profile === "full"
      ? [
          "warn",
          "⚠ Full network: this agent connects directly, not through the proxy. Nothing limits where it connects, and its connections are not recorded.",
        ]
      : profile === "none"
        ? ["ok", "No network: the container has no network interface at all (enforced by Podman)."]
        : [
            "ok",
            `Enforced: the container has no network interface; its only way out is the panel's egress proxy, which allows the destinations below and records every connection. ${proxyRunning ? "The proxy is running." : "The proxy starts with the agent."}`,
          ];
  return (
    <p
      role="note"
      data-proxied={proxied}
      className={`rounded-md border px-4 py-3 text-sm ${tone === "warn" ? "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200" : "border-emerald-200 bg-emerald-50 dark:border-emerald-900 dark:bg-emerald-950/40"}`}
    >
      {text}
    </p>
  );
}
