"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { ApprovalNotifications } from "./approvals/approval-notifications";
import { approvalsNavLabel } from "./approvals/approval-types";
import { JobNotifications } from "./jobs/job-notifications";
import { Logo } from "./logo";
import { LogoutButton } from "./logout-button";
import { ThemeToggle } from "./theme-toggle";
import { useTRPC } from "./trpc";

/** Only pages that work are listed; later features add theirs here. */
const navigation = [
  { href: "/", label: "Home" },
  { href: "/agents", label: "Agents" },
  { href: "/jobs", label: "Jobs" },
  { href: "/approvals", label: "Approvals" },
  { href: "/access", label: "Access" },
  { href: "/templates", label: "Templates" },
  { href: "/images", label: "Images" },
  { href: "/audit", label: "Audit" },
  { href: "/doctor", label: "Doctor" },
  { href: "/sessions", label: "Sessions" },
  { href: "/settings", label: "Settings" },
];

/**
 * How many requests wait for an answer: asked again whenever the approvals' live tail (opened by
 * ApprovalNotifications) brings an event, and now and then in case the socket is down.
 */
function usePendingApprovals(): number | undefined {
  const trpc = useTRPC();
  const pending = useQuery({ ...trpc.approvals.pendingCount.queryOptions(), refetchInterval: 60_000 });
  return pending.data?.count;
}

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const pendingApprovals = usePendingApprovals();
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900"
      >
        Skip to content
      </a>
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        {/* On a phone the navigation is a second row that scrolls sideways. */}
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 px-4 lg:h-14 lg:flex-nowrap">
          <Link href="/" className="flex h-14 shrink-0 items-center gap-2 font-semibold tracking-tight">
            <Logo className="h-7 w-7" />
            claw
          </Link>
          <nav
            aria-label="Main"
            className="order-last -mx-4 flex w-[calc(100%+2rem)] min-w-0 overflow-x-auto px-2 pb-2 lg:order-none lg:mx-0 lg:w-auto lg:px-0 lg:py-2"
          >
            {navigation.map((item) => {
              const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
              const count = item.href === "/approvals" ? pendingApprovals : undefined;
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? "page" : undefined}
                  aria-label={count ? approvalsNavLabel(count) : undefined}
                  className="inline-flex shrink-0 items-center gap-1.5 rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 aria-[current=page]:bg-zinc-100 aria-[current=page]:font-medium aria-[current=page]:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100 dark:aria-[current=page]:bg-zinc-800 dark:aria-[current=page]:text-zinc-100"
                >
                  {item.label}
                  {count ? (
                    <span
                      data-testid="approvals-pending"
                      className="rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-white tabular-nums dark:bg-amber-600"
                    >
                      {count}
                    </span>
                  ) : null}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex shrink-0 items-center gap-3">
            <ThemeToggle />
            <LogoutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
        {children}
      </main>
      <JobNotifications />
      <ApprovalNotifications />
    </div>
  );
}
