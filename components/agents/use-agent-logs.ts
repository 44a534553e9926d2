"use client";

import { useEffect, useState } from "react";
import { appendBounded, type LogLine, parseLogLine } from "@/shared/log-lines";

export type FollowState = "off" | "connecting" | "live" | "ended" | "error" | "closed";

type LogMessage =
  | { type: "lines"; lines: string[] }
  | { type: "skipped"; lines: number }
  | { type: "end" }
  | { type: "error"; message: string };

/** Where the panel dropped lines because this view fell behind, said in the log itself. */
function skippedLine(count: number, seq: number): LogLine {
  const lines = `${count.toLocaleString()} line${count === 1 ? "" : "s"}`;
  return { seq, time: null, text: `… ${lines} skipped here: this view fell behind the output …` };
}

/**
 * Follows a running container's output over `/ws/agents/NAME/logs`, keeping the last lines (and a
 * line saying so where the panel skipped some because this view could not keep up).
 * A new container (a start or restart) starts a new follow with an empty buffer; so does a new
 * mount (the view keys it to reconnect).
 */
export function useLogFollow(name: string, containerId: string | null) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<FollowState>("off");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setLines([]);
    setError(null);
    if (!containerId) {
      setState("off");
      return;
    }
    setState("connecting");
    let seq = 0;
    let finished = false;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(
      `${scheme}://${window.location.host}/ws/agents/${encodeURIComponent(name)}/logs?tail=500`,
    );
    socket.onopen = () => setState("live");
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as LogMessage;
      if (message.type === "lines") {
        const fresh = message.lines.map((line) => parseLogLine(line, seq++));
        setLines((current) => appendBounded(current, fresh));
      } else if (message.type === "skipped") {
        const notice = skippedLine(message.lines, seq++);
        setLines((current) => appendBounded(current, [notice]));
      } else if (message.type === "end") {
        finished = true;
        setState("ended");
      } else if (message.type === "error") {
        finished = true;
        setError(message.message);
        setState("error");
      }
    };
    socket.onclose = () => {
      if (!finished) setState("closed");
    };
    return () => {
      socket.onclose = null;
      socket.close();
    };
  }, [name, containerId]);

  return { lines, state, error };
}
