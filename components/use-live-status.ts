"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useState } from "react";
import type { AppRouter } from "@/server/routers/root";
import { useTRPC } from "./trpc";

export type PanelStatus = inferRouterOutputs<AppRouter>["system"]["status"];
export type Connection = "connecting" | "live" | "reconnecting";

/** First answer over tRPC, then pushed updates over `/ws/status`, reconnecting with backoff. */
export function useLiveStatus() {
  const trpc = useTRPC();
  const initial = useQuery(trpc.system.status.queryOptions());
  const [pushed, setPushed] = useState<PanelStatus | undefined>();
  const [connection, setConnection] = useState<Connection>("connecting");

  useEffect(() => {
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let closed = false;
    const connect = () => {
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${window.location.host}/ws/status`);
      socket.onopen = () => {
        attempt = 0;
        setConnection("live");
      };
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as { type: string; status?: PanelStatus };
        if (message.type === "status" && message.status) setPushed(message.status);
      };
      socket.onclose = () => {
        if (closed) return;
        setConnection("reconnecting");
        attempt += 1;
        retry = setTimeout(connect, Math.min(30_000, 1_000 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, []);

  return { status: pushed ?? initial.data, error: initial.error, connection, refetch: initial.refetch };
}
