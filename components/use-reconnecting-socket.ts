"use client";

import { useEffect, useRef } from "react";

export type SocketHandlers<Message> = {
  /** Each message, parsed from JSON (not validated: the panel's own server sent it). */
  onMessage: (message: Message) => void;
  onOpen?: () => void;
  /** The socket closed; the next try is scheduled. */
  onReconnecting?: () => void;
};

const maxDelayMs = 30_000;

/**
 * A WebSocket to `path` on the panel's host that reconnects after a drop (a panel restart, a
 * laptop waking up), waiting 2 s, 4 s, … up to 30 s between tries; a connection that opens resets
 * the wait. `null` opens nothing. The handlers may change between renders without reconnecting.
 */
export function useReconnectingSocket<Message>(path: string | null, handlers: SocketHandlers<Message>) {
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    if (path === null) return;
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const connect = () => {
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
      socket.onopen = () => {
        attempt = 0;
        handlersRef.current.onOpen?.();
      };
      socket.onmessage = (event) => {
        handlersRef.current.onMessage(JSON.parse(String(event.data)) as Message);
      };
      socket.onclose = () => {
        handlersRef.current.onReconnecting?.();
        attempt += 1;
        retry = setTimeout(connect, Math.min(maxDelayMs, 1_000 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      clearTimeout(retry);
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
    };
  }, [path]);
}
