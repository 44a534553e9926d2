"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { isLive } from "./job-types";

export type EventsConnection = "connecting" | "live" | "reconnecting" | "ended" | "gone";

type JobSocketMessage =
  | { type: "events"; from: number; events: unknown[] }
  | { type: "status"; status: string };

/** The loaded events: a contiguous run of indexes starting at `first`. */
type Loaded = { first: number; events: unknown[] };

const earlierPage = 1000;

/**
 * A job's events over `/ws/jobs/ID?from=N`, live, from index `start`; earlier ones on request with
 * `jobs.output`. The socket sends each index once and in order; after a drop while the job runs it
 * reconnects from the next index it lacks, so nothing is missed or shown twice.
 */
export function useJobEvents(jobId: string, start: number, onStatus: (status: string) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [loaded, setLoaded] = useState<Loaded>({ first: start, events: [] });
  const [connection, setConnection] = useState<EventsConnection>("connecting");
  const [received, setReceived] = useState(false);
  const [earlier, setEarlier] = useState<{ loading: boolean; error: string | null }>({
    loading: false,
    error: null,
  });
  const statusRef = useRef(onStatus);
  statusRef.current = onStatus;

  useEffect(() => {
    setLoaded({ first: start, events: [] });
    setReceived(false);
    let next = start;
    let status: string | null = null;
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const connect = () => {
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${window.location.host}/ws/jobs/${jobId}?from=${next}`);
      socket.onopen = () => {
        attempt = 0;
        setConnection("live");
      };
      socket.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as JobSocketMessage;
        if (data.type === "events") {
          // Indexes already held (a resend after a reconnect) are dropped; the rest follow on.
          if (data.from > next) {
            // A gap cannot happen by the protocol; should it, ask again from the first index missing.
            socket?.close(4000, "Gap in the events");
            return;
          }
          const fresh = data.events.slice(next - data.from);
          if (fresh.length === 0) return;
          next += fresh.length;
          setLoaded((current) => ({ ...current, events: [...current.events, ...fresh] }));
          setReceived(true);
        } else if (data.type === "status") {
          status = data.status;
          setReceived(true);
          statusRef.current(data.status);
          // Every line is sent before the final status: nothing more will come.
          if (!isLive(data.status)) {
            stopped = true;
            setConnection("ended");
            socket?.close(1000, "Job ended");
          }
        }
      };
      socket.onclose = (event) => {
        if (stopped) return;
        if (event.code === 4404) {
          setConnection("gone");
          return;
        }
        if (status !== null && !isLive(status)) {
          setConnection("ended");
          return;
        }
        setConnection("reconnecting");
        attempt += 1;
        retry = setTimeout(connect, Math.min(10_000, 500 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
    };
  }, [jobId, start]);

  /** The page of events before the first one held, from the stored output. */
  const loadEarlier = useCallback(async () => {
    const first = loaded.first;
    if (first === 0 || earlier.loading) return;
    const offset = Math.max(0, first - earlierPage);
    setEarlier({ loading: true, error: null });
    try {
      const page = await queryClient.fetchQuery(
        trpc.jobs.output.queryOptions({ id: jobId, offset, limit: first - offset }),
      );
      setLoaded((current) =>
        current.first === first ? { first: offset, events: [...page.events, ...current.events] } : current,
      );
      setEarlier({ loading: false, error: null });
    } catch (error) {
      setEarlier({ loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  }, [loaded.first, earlier.loading, jobId, queryClient, trpc]);

  return { ...loaded, connection, received, earlier, loadEarlier };
}
