"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { AuditEvent } from "@/components/audit/audit-types";
import { useTRPC } from "@/components/trpc";
import { useReconnectingSocket } from "@/components/use-reconnecting-socket";

/**
 * The approvals' live tail (`/ws/audit?category=approval`): each event (a request raised, decided,
 * expired; a grant used, ended, revoked) makes every approvals query ask again, so the header's
 * count, the inbox and the grants follow; `onEvent` sees each one too. A (re)connect asks again as
 * well: events may have been missed while the socket was down. The panel shell opens it once.
 */
export function useApprovalsLive(onEvent: (event: AuditEvent) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
  useReconnectingSocket<{ type: string; events?: AuditEvent[] }>("/ws/audit?category=approval", {
    onOpen: refresh,
    onMessage: (message) => {
      if (message.type !== "events" || !message.events?.length) return;
      refresh();
      for (const event of message.events) onEvent(event);
    },
  });
}
