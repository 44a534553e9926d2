"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { ProposeAllowlist } from "@/components/approvals/propose-allowlist";
import type { AuditEvent } from "@/components/audit/audit-types";
import { useAuditLive } from "@/components/audit/use-audit-live";
import { formatBytes, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import {
  Badge,
  Card,
  Checkbox,
  ConfirmDialog,
  DataTable,
  ErrorAlert,
  Facts,
  QueryState,
  Skeleton,
  StatusMessage,
  smallButtonClass,
} from "@/components/ui";
import type { AppRouter } from "@/server/routers/root";

type EgressView = inferRouterOutputs<AppRouter>["agents"]["egress"];
type Expected = EgressView["expected"];
type Mode = NonNullable<EgressView["mode"]>;

const modes: Mode[] = ["deny", "ask", "learn"];

/** What each mode does with a host off the list, in words. */
function modeText(mode: Mode, askTimeoutSeconds: number | null): string {
  switch (mode) {
    case "deny":
      return "Deny: a host off the list is refused at once.";
    case "ask":
      return `Ask: a connection to a host off the list waits (up to ${askTimeoutSeconds ?? 60} s) while a person allows or denies it in Approvals.`;
    case "learn":
      return "Learning: every host is let through and recorded.";
  }
}

/** Pure: why a denial is expected (a harmless request refused on purpose), if it is one. */
const expectedNoteOf = (expected: Expected, host: unknown, port: unknown) =>
  expected.find((entry) => entry.host === host && entry.port === port)?.note;

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

function ConnectionRow({ event, expected }: { event: AuditEvent; expected: Expected }) {
  const details = (event.details ?? {}) as EgressDetails;
  const denied = event.outcome === "denied";
  const note = denied ? expectedNoteOf(expected, details.host, details.port) : undefined;
  const learned = !denied && details.rule === "learn mode";
  return (
    <tr
      data-outcome={event.outcome}
      data-expected={note ? "true" : undefined}
      className={denied && !note ? "bg-red-50/60 dark:bg-red-950/20" : undefined}
    >
      <td className="whitespace-nowrap py-1.5 pr-3 text-zinc-500">{formatTime(event.time)}</td>
      <td className="py-1.5 pr-3">
        <Badge tone={note ? "neutral" : denied ? "fail" : learned ? "warn" : "ok"}>
          {note ? "denied (expected)" : denied ? "denied" : learned ? "learned" : "allowed"}
        </Badge>
      </td>
      <td className="break-all py-1.5 pr-3 font-mono text-xs">
        {details.method ? `${details.method} ` : ""}
        {details.host}:{details.port}
      </td>
      <td className="py-1.5 text-zinc-600 dark:text-zinc-400">
        {note
          ? `Expected: ${note}`
          : denied
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
      <EnforcementNote
        profile={data.profile}
        proxied={data.proxied}
        proxyRunning={data.proxyRunning}
        learning={data.mode === "learn"}
      />

      {data.mode ? (
        <EgressModeCard name={name} mode={data.mode} askTimeoutSeconds={data.askTimeoutSeconds} />
      ) : null}

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
            From the agent&apos;s signed lock
            {data.presets.length > 0
              ? `, with the ${data.presets.join(", ")} preset${data.presets.length === 1 ? "" : "s"} expanded`
              : ""}
            ; change it in the template and re-lock, or add what the agent needs with &ldquo;Propose an
            allowlist&rdquo; below.
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
              ...(totals.expected > 0
                ? ([
                    [
                      "Expected denials",
                      <span
                        key="e"
                        data-testid="egress-expected"
                        className="text-zinc-500 dark:text-zinc-400"
                      >
                        {totals.expected.toLocaleString()}: known startup requests refused on purpose (below)
                      </span>,
                    ],
                  ] as [string, ReactNode][])
                : []),
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
              <tr key={`${host.host}:${host.port}`} data-expected={host.expected ? "true" : undefined}>
                <td className="break-all py-1.5 pr-3 font-mono text-xs">
                  {host.host}:{host.port}
                  {host.expected ? (
                    <div className="font-sans text-zinc-500 dark:text-zinc-400">
                      Expected: {host.expected}
                    </div>
                  ) : null}
                </td>
                <td className="py-1.5 pr-3">{host.allowed}</td>
                <td
                  className={`py-1.5 pr-3 ${host.expected ? "text-zinc-500" : host.denied ? "text-red-700 dark:text-red-400" : ""}`}
                >
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

      {data.proxied ? <ProposeAllowlist agent={name} mode={data.mode} /> : null}

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
                <ConnectionRow key={event.id} event={event} expected={data.expected} />
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
  learning,
}: {
  profile: string;
  proxied: boolean;
  proxyRunning: boolean;
  learning: boolean;
}) {
  const [tone, text] =
    profile === "full"
      ? [
          "warn",
          "⚠ Full network: this agent connects directly, not through the proxy. Nothing limits where it connects, and its connections are not recorded.",
        ]
      : profile === "none"
        ? ["ok", "No network: the container has no network interface at all (enforced by Podman)."]
        : learning
          ? [
              "warn",
              `The container has no network interface; its only way out is the panel's egress proxy, which is learning: it lets every host through (this machine and private networks excepted) and records every connection. ${proxyRunning ? "The proxy is running." : "The proxy starts with the agent."}`,
            ]
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

/**
 * The agent's egress mode, loud when it is `learn`, with a switch. The mode is part of the lock and
 * enforced by the panel's proxy, which a running agent's re-lock updates at once (open
 * connections go on).
 */
function EgressModeCard({
  name,
  mode,
  askTimeoutSeconds,
}: {
  name: string;
  mode: Mode;
  askTimeoutSeconds: number | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [picked, setPicked] = useState<Mode | undefined>();
  const [done, setDone] = useState<Mode | undefined>();
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.agents.egress.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.policy.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() }),
    ]);
  };
  const setMode = useMutation(
    trpc.approvals.setMode.mutationOptions({
      onSuccess: async (_result, input) => {
        setPicked(undefined);
        setDone(input.mode);
        await refresh();
      },
    }),
  );
  const learning = mode === "learn";

  return (
    <section
      aria-label="Egress mode"
      data-mode={mode}
      className={`rounded-lg border p-5 shadow-sm ${learning ? "border-amber-400 bg-amber-50 dark:border-amber-700 dark:bg-amber-950/40" : "border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 className="text-sm font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
            Egress mode
          </h2>
          <p
            data-testid="egress-mode"
            className={`mt-1 text-base font-semibold ${learning ? "text-amber-900 dark:text-amber-200" : ""}`}
          >
            {learning ? "⚠ " : ""}
            {modeText(mode, askTimeoutSeconds)}
          </p>
          {learning ? (
            <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
              The allowlist does not limit this agent now. When it has done what it needs, propose an
              allowlist from what it reached (below) and switch back to deny or ask.
            </p>
          ) : null}
        </div>
        <fieldset className="flex items-center gap-1">
          <legend className="sr-only">Switch the egress mode</legend>
          {modes.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={option === mode}
              disabled={option === mode || setMode.isPending}
              className={`${smallButtonClass} ${option === mode ? "bg-zinc-200 dark:bg-zinc-700" : ""}`}
              onClick={() => {
                setMode.reset();
                setDone(undefined);
                setPicked(option);
              }}
            >
              {option}
            </button>
          ))}
        </fieldset>
      </div>

      {picked ? (
        <ConfirmDialog
          className="mt-4"
          label={`Switch ${name} to ${picked} mode`}
          confirmLabel={`Switch to ${picked} and re-lock`}
          pendingLabel="Switching…"
          pending={setMode.isPending}
          danger={picked === "learn"}
          onConfirm={() => setMode.mutate({ agent: name, mode: picked })}
          onCancel={() => setPicked(undefined)}
          error={setMode.error ?? undefined}
        >
          <p className="font-medium">{modeText(picked, askTimeoutSeconds)}</p>
          {picked === "learn" ? (
            <p className="mt-1">
              Any host this agent names is reached while it learns; only this machine and private networks
              stay closed.
            </p>
          ) : null}
          <p className="mt-1">
            This changes {name}&apos;s own copy of its template and re-locks its policy. If it is running, its
            egress proxy applies the new mode at once; connections already open go on.
          </p>
        </ConfirmDialog>
      ) : null}

      {done ? (
        <div className="mt-4">
          <StatusMessage tone="ok">Mode set to {done} and re-locked.</StatusMessage>
        </div>
      ) : null}
    </section>
  );
}
