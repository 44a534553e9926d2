"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { isLive, jobsPollMs } from "./job-types";

const pageSize = 50;

/**
 * The newest jobs (of a session, or started by an agent), a page at a time; asked again every
 * couple of seconds while one of them waits or runs.
 */
export function useJobsList(filter: { sessionId?: string; agent?: string }) {
  const trpc = useTRPC();
  const list = useInfiniteQuery({
    ...trpc.jobs.list.infiniteQueryOptions(
      { ...filter, limit: pageSize },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.jobs.some((job) => isLive(job.status)))
        ? jobsPollMs
        : false,
  });
  return { list, jobs: list.data?.pages.flatMap((page) => page.jobs) };
}
