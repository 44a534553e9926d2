"use client";

import { useEffect, useState } from "react";
import type { AuditEvent, AuditFilter } from "./audit-types";

export type LiveState = "off" | "connecting" | "live" | "closed";

/** Events committed after the page opened, matching the filter, newest first. */
export function useAuditLive(filter: AuditFilter, enabled: boolean) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [state, setState] = useState<LiveState>(enabled ? "connecting" : "off");
  const key = JSON.stringify(filter);

  useEffect(() => {
    setEvents([]);
    if (!enabled) {
      setState("off");
      return;
    }
    setState("connecting");
    const query = new URLSearchParams(JSON.parse(key) as Record<string, string>);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/audit?${query}`);
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as { type: string; events?: AuditEvent[] };
      if (data.type === "ready") setState("live");
      if (data.type === "events" && data.events) {
        const fresh = [...data.events].reverse();
        setEvents((current) => [...fresh, ...current].slice(0, 1000));
      }
    };
    socket.onclose = () => setState("closed");
    return () => socket.close();
  }, [key, enabled]);

  return { events, state };
}
