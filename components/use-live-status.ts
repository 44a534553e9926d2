"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import type { AppRouter } from "@/server/routers/root";
import { useTRPC } from "./trpc";
import { useReconnectingSocket } from "./use-reconnecting-socket";

export type PanelStatus = inferRouterOutputs<AppRouter>["system"]["status"];
export type Connection = "connecting" | "live" | "reconnecting";

/** First answer over tRPC, then pushed updates over `/ws/status`, reconnecting with backoff. */
export function useLiveStatus() {
  const trpc = useTRPC();
  const initial = useQuery(trpc.system.status.queryOptions());
  const [pushed, setPushed] = useState<PanelStatus | undefined>();
  const [connection, setConnection] = useState<Connection>("connecting");

  useReconnectingSocket<{ type: string; status?: PanelStatus }>("/ws/status", {
    onOpen: () => setConnection("live"),
    onMessage: (message) => {
      if (message.type === "status" && message.status) setPushed(message.status);
    },
    onReconnecting: () => setConnection("reconnecting"),
  });

  return { status: pushed ?? initial.data, error: initial.error, connection, refetch: initial.refetch };
}
