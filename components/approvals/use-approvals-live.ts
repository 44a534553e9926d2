"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { AuditEvent } from "@/components/audit/audit-types";
import { useTRPC } from "@/components/trpc";
import { useReconnectingSocket } from "@/components/use-reconnecting-socket";
import { changesApprovals, refreshIntervalMs, trailingThrottle } from "./live-refresh";

/**
 * The approvals' live tail (`/ws/audit?category=approval`): a request raised, decided or expired
 * and a grant ended or revoked make every approvals query ask again (at most once a second), so
 * the header's count, the inbox and the grants follow; `onEvent` sees every event, grant uses
 * included. A (re)connect asks again as well: events may have been missed while the socket was
 * down. The panel shell opens it once.
 */
export function useApprovalsLive(onEvent: (event: AuditEvent) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [throttle] = useState(() => trailingThrottle(refreshIntervalMs));
  useEffect(() => throttle.cancel, [throttle]);
  const refresh = () =>
    throttle.run(() => void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() }));
  useReconnectingSocket<{ type: string; events?: AuditEvent[] }>("/ws/audit?category=approval", {
    onOpen: refresh,
    onMessage: (message) => {
      if (message.type !== "events" || !message.events?.length) return;
      if (message.events.some((event) => changesApprovals(event.action))) refresh();
      for (const event of message.events) onEvent(event);
    },
  });
}
