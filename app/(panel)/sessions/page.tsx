"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, ErrorAlert, QueryState } from "@/components/ui";

function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return "unknown client";
  const browser =
    /(Firefox|Edg|Chrome|Chromium|Safari)\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent.slice(0, 40);
  const system = /\(([^;)]+)/.exec(userAgent)?.[1];
  return system ? `${browser} on ${system}` : browser;
}

const when = (iso: string) => new Date(iso).toLocaleString();

export default function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: (result) => {
        if (result.wasCurrent) window.location.assign("/login?logged-out=1");
        else void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );

  return (
    <div className="space-y-6">
      <PageHeader
        title="Sessions"
        description="Browsers logged in to this panel. A session ends 7 days after login or after 24 hours unused; revoke
          one to end it now."
      />
      <Card title="Active sessions">
        <QueryState
          query={sessions}
          errorTitle="Could not load sessions"
          lines={3}
          empty="No browser sessions (the CLI talks to the panel over its socket, without a session)."
        >
          {(data) => (
            <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Active sessions">
              {data.map((session) => (
                <li key={session.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div className="min-w-0 text-sm">
                    <p className="font-medium">
                      {describeBrowser(session.userAgent)}{" "}
                      {session.current ? <Badge tone="ok">this browser</Badge> : null}
                    </p>
                    <p className="text-zinc-500 dark:text-zinc-400">
                      logged in {when(session.createdAt)} · last active {when(session.lastSeenAt)} · id{" "}
                      <code className="font-mono">{session.id.slice(0, 12)}</code>
                    </p>
                  </div>
                  <button
                    type="button"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ id: session.id })}
                    className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:border-red-400 hover:text-red-700 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:opacity-50 dark:border-zinc-700 dark:hover:text-red-400"
                  >
                    {session.current ? "Log out here" : "Revoke"}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
        {revoke.error ? (
          <div className="mt-3">
            <ErrorAlert error={revoke.error} title="The session was not revoked" />
          </div>
        ) : null}
      </Card>
    </div>
  );
}
