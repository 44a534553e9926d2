"use client";

import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert, JumpToLatestButton, QueryState, Skeleton, smallButtonClass } from "@/components/ui";
import { type LogLine, logText, maxLogLines, parseLogLine, shortTime } from "@/shared/log-lines";
import type { AgentLive } from "./agent-types";
import { type FollowState, useLogFollow } from "./use-agent-logs";

const fieldClass =
  "w-64 max-w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950 focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/30";

/** OpenClaw stamps its own lines; Podman's stamp is then left to the tooltip and the download. */
const ownTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

function Highlight({ text, query }: { text: string; query: string }) {
  if (!query) return <>{text}</>;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(query, from); at !== -1; at = lower.indexOf(query, from)) {
    parts.push(text.slice(from, at));
    parts.push(
      <mark key={at} className="rounded-sm bg-amber-300 text-zinc-950">
        {text.slice(at, at + query.length)}
      </mark>,
    );
    from = at + query.length;
  }
  parts.push(text.slice(from));
  return <>{parts}</>;
}

function download(name: string, lines: LogLine[]) {
  const blob = new Blob([logText(lines)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** The lines with a search box, a download, and a view that stays at the bottom unless scrolled up. */
function LogBox({
  name,
  lines,
  notice,
  status,
  extra,
}: {
  name: string;
  lines: LogLine[];
  notice?: ReactNode;
  status?: ReactNode;
  extra?: ReactNode;
}) {
  const searchId = useId();
  const [search, setSearch] = useState("");
  const query = search.trim().toLowerCase();
  const shown = useMemo(
    () => (query ? lines.filter((line) => line.text.toLowerCase().includes(query)) : lines),
    [lines, query],
  );
  const box = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const lastSeq = shown.at(-1)?.seq;

  // New lines keep the view at the bottom, unless the reader has scrolled up to look at something.
  useLayoutEffect(() => {
    const element = box.current;
    if (element && atBottom && lastSeq !== undefined) element.scrollTop = element.scrollHeight;
  }, [lastSeq, atBottom]);

  const onScroll = () => {
    const element = box.current;
    if (element) setAtBottom(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
  };

  return (
    <div className="space-y-3">
      {notice}
      <div className="flex flex-wrap items-center gap-3">
        <label htmlFor={searchId} className="text-sm font-medium">
          Search
        </label>
        <input
          id={searchId}
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Filter the loaded lines"
          autoComplete="off"
          spellCheck={false}
          className={fieldClass}
        />
        <span className="text-xs tabular-nums text-zinc-500 dark:text-zinc-400" aria-live="polite">
          {query
            ? `${shown.length.toLocaleString()} of ${lines.length.toLocaleString()} lines`
            : `${lines.length.toLocaleString()} lines`}
        </span>
        {status}
        <div className="ml-auto flex items-center gap-2">
          {extra}
          <button
            type="button"
            className={smallButtonClass}
            disabled={lines.length === 0}
            onClick={() => download(name, lines)}
          >
            Download
          </button>
        </div>
      </div>
      <div className="relative">
        <div
          ref={box}
          onScroll={onScroll}
          role="log"
          aria-label={`${name} logs`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
          tabIndex={0}
          className="h-[28rem] overflow-auto rounded-md border border-zinc-200 bg-zinc-950 p-3 font-mono text-xs leading-5 text-zinc-100 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:border-zinc-800"
        >
          {shown.length === 0 ? (
            <p className="text-zinc-400">
              {lines.length === 0 ? "No output yet." : `No loaded line contains “${search.trim()}”.`}
            </p>
          ) : (
            shown.map((line) => (
              <div key={line.seq} className="whitespace-pre-wrap break-all">
                {line.time && !ownTimestamp.test(line.text) ? (
                  <span className="mr-2 select-none text-zinc-500" title={line.time}>
                    {shortTime(line.time)}
                  </span>
                ) : null}
                <Highlight text={line.text} query={query} />
              </div>
            ))
          )}
        </div>
        {atBottom ? null : <JumpToLatestButton onClick={() => setAtBottom(true)} />}
      </div>
    </div>
  );
}

const followLabels: Record<FollowState, string> = {
  off: "",
  connecting: "connecting…",
  live: "● following",
  ended: "stopped",
  error: "not following",
  closed: "disconnected",
};

function FollowedLogs({
  name,
  containerId,
  onReconnect,
}: {
  name: string;
  containerId: string;
  onReconnect: () => void;
}) {
  const follow = useLogFollow(name, containerId);
  return (
    <LogBox
      name={name}
      lines={follow.lines}
      notice={
        follow.state === "error" ? (
          <ErrorAlert error={{ message: follow.error ?? "The logs could not be read." }} />
        ) : follow.state === "ended" ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The container stopped; this is its last output.
          </p>
        ) : null
      }
      status={
        <span
          className={`text-xs ${follow.state === "live" ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-500"}`}
        >
          {followLabels[follow.state]}
        </span>
      }
      extra={
        follow.state === "closed" || follow.state === "error" ? (
          <button type="button" className={smallButtonClass} onClick={onReconnect}>
            Reconnect
          </button>
        ) : null
      }
    />
  );
}

function StoppedLogs({ name, live }: { name: string; live: AgentLive }) {
  const trpc = useTRPC();
  const logs = useQuery(trpc.agents.logs.queryOptions({ name, tail: maxLogLines }));
  const lines = useMemo(() => logs.data?.lines.map(parseLogLine) ?? [], [logs.data]);
  return (
    <QueryState
      query={logs}
      lines={6}
      isEmpty={(data) => !data.containerId}
      empty={
        live.state === "missing"
          ? "Its container was removed outside the panel, and its output with it."
          : "This agent has never started, so there is no output yet. Start it to see its logs here."
      }
    >
      {() => (
        <LogBox
          name={name}
          lines={lines}
          notice={
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              The container is stopped; showing its last output.
              {live.note ? ` ${live.note}` : ""}
            </p>
          }
        />
      )}
    </QueryState>
  );
}

/** Live output while the container runs; its last output once it has stopped. */
export function LogsView({ name, live }: { name: string; live: AgentLive | null }) {
  const [attempt, setAttempt] = useState(0);
  if (!live) return <Skeleton lines={6} />;
  const running = live.state === "running" || live.state === "paused";
  if (running && live.containerId) {
    return (
      <FollowedLogs
        key={`${live.containerId}:${attempt}`}
        name={name}
        containerId={live.containerId}
        onReconnect={() => setAttempt((n) => n + 1)}
      />
    );
  }
  return <StoppedLogs key={live.containerId ?? "none"} name={name} live={live} />;
}
