"use client";

import { memo, type ReactNode, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { JumpToLatestButton, Skeleton, smallButtonClass } from "@/components/ui";
import { formatDuration, formatUsd, tokensOf } from "./job-types";
import {
  blocksOf,
  eventTypeOf,
  indexTools,
  initSummary,
  isObject,
  type Json,
  num,
  oneLine,
  otherSummary,
  str,
  toolInputSummary,
  toolResultText,
} from "./stream-events";
import { type EventsConnection, useJobEvents } from "./use-job-events";

/** Longer texts (a 2 MB answer is possible) show their start until asked for the rest. */
const shownChars = 20_000;

function LongText({ text, className }: { text: string; className: string }) {
  const [all, setAll] = useState(false);
  const cut = !all && text.length > shownChars;
  return (
    <>
      <div className={className}>{cut ? `${text.slice(0, shownChars)}…` : text}</div>
      {cut ? (
        <button type="button" className={`${smallButtonClass} mt-1`} onClick={() => setAll(true)}>
          Show all {text.length.toLocaleString()} characters
        </button>
      ) : null}
    </>
  );
}

const muted = "text-xs text-zinc-500 dark:text-zinc-400";
const pre = "whitespace-pre-wrap break-words font-mono text-xs";
const summaryClass =
  "cursor-pointer select-none rounded px-1 -mx-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:hover:bg-zinc-800";

function ToolUseBlock({ block, result }: { block: Json; result: Json | undefined }) {
  const name = str(block.name) ?? "tool";
  const summary = toolInputSummary(block.input);
  const state = !result ? "running" : result.is_error === true ? "error" : "done";
  return (
    <details className="rounded-md border border-zinc-200 px-3 py-1 text-sm dark:border-zinc-800">
      <summary className={summaryClass}>
        <span className="font-medium">Tool: {name}</span>
        {summary ? (
          <span className="ml-2 font-mono text-xs text-zinc-600 dark:text-zinc-400">{summary}</span>
        ) : null}
        <span
          className={`ml-2 text-xs ${state === "error" ? "text-red-700 dark:text-red-400" : state === "done" ? "text-emerald-700 dark:text-emerald-400" : "text-amber-700 dark:text-amber-400"}`}
        >
          {state === "running" ? "… running" : state === "error" ? "✗ failed" : "✓ done"}
        </span>
      </summary>
      <pre className={`mt-2 max-h-96 overflow-auto rounded bg-zinc-100 p-2 dark:bg-zinc-950 ${pre}`}>
        {JSON.stringify(block.input ?? {}, null, 2)}
      </pre>
    </details>
  );
}

function ToolResultBlock({ block, use }: { block: Json; use: Json | undefined }) {
  const isError = block.is_error === true;
  const text = toolResultText(block);
  const name = use ? (str(use.name) ?? "tool") : "a tool";
  const first = oneLine(text, 100);
  return (
    <details
      data-tool-error={isError ? "true" : undefined}
      className={`rounded-md border px-3 py-1 text-sm ${isError ? "border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200" : "border-zinc-200 dark:border-zinc-800"}`}
    >
      <summary className={summaryClass}>
        <span className="font-medium">
          {isError ? "Error from" : "Result of"} {name}
        </span>
        {first ? (
          <span className={`ml-2 font-mono text-xs ${isError ? "" : "text-zinc-600 dark:text-zinc-400"}`}>
            {first}
          </span>
        ) : (
          <span className={`ml-2 ${muted}`}>(empty)</span>
        )}
      </summary>
      <div className="mt-2 max-h-96 overflow-auto">
        <LongText text={text || "(no output)"} className={pre} />
      </div>
    </details>
  );
}

function ResultCard({ event }: { event: Json }) {
  const isError = event.is_error === true;
  const text = str(event.result) ?? (Array.isArray(event.errors) ? event.errors.map(String).join("\n") : "");
  const cost = num(event.total_cost_usd);
  const turns = num(event.num_turns);
  const duration = num(event.duration_ms);
  const tokens = tokensOf(isObject(event.usage) ? event.usage : null);
  return (
    <div
      data-result-error={isError ? "true" : "false"}
      className={`rounded-md border p-3 ${isError ? "border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950/40" : "border-emerald-300 bg-emerald-50 dark:border-emerald-900 dark:bg-emerald-950/40"}`}
    >
      <p
        className={`mb-1 text-xs font-semibold uppercase tracking-wide ${isError ? "text-red-800 dark:text-red-300" : "text-emerald-800 dark:text-emerald-300"}`}
      >
        {isError
          ? `Result: error${str(event.subtype) && event.subtype !== "success" ? ` (${event.subtype})` : ""}`
          : "Result"}
      </p>
      <LongText
        text={text || "(no text)"}
        className={`whitespace-pre-wrap break-words text-sm ${isError ? "text-red-900 dark:text-red-200" : ""}`}
      />
      <p className={`mt-2 ${muted}`}>
        {[
          cost !== undefined ? `cost ${formatUsd(cost)}` : null,
          turns !== undefined ? `${turns} ${turns === 1 ? "turn" : "turns"}` : null,
          duration !== undefined ? formatDuration(duration) : null,
          tokens ? `tokens ${tokens}` : null,
        ]
          .filter(Boolean)
          .join(" · ")}
      </p>
    </div>
  );
}

function MutedLine({ label, children }: { label: string; children?: ReactNode }) {
  return (
    <p className={muted}>
      <span className="font-mono">{label}</span>
      {children ? <> · {children}</> : null}
    </p>
  );
}

function Block({ event, block, related }: { event: Json; block: Json; related: Map<string, Json> }) {
  switch (block.type) {
    case "text": {
      const apiError = event.is_api_error_message === true || typeof event.error === "string";
      return (
        <LongText
          text={str(block.text) ?? ""}
          className={`whitespace-pre-wrap break-words text-sm ${apiError ? "text-red-700 dark:text-red-400" : ""}`}
        />
      );
    }
    case "thinking":
      return (
        <details>
          <summary className={`${summaryClass} ${muted}`}>Thinking</summary>
          <LongText
            text={str(block.thinking) ?? ""}
            className={`mt-1 ${pre} text-zinc-600 dark:text-zinc-400`}
          />
        </details>
      );
    case "tool_use":
      return <ToolUseBlock block={block} result={related.get(str(block.id) ?? "")} />;
    case "tool_result":
      return <ToolResultBlock block={block} use={related.get(str(block.tool_use_id) ?? "")} />;
    default:
      return <MutedLine label={`${str(event.type)}/${str(block.type) ?? "block"}`} />;
  }
}

function EventBody({ event, related }: { event: unknown; related: Map<string, Json> }) {
  if (!isObject(event)) return <MutedLine label="unknown" />;
  switch (event.type) {
    case "raw":
      return <p className={`${pre} text-zinc-500`}>{str(event.text)}</p>;
    case "result":
      return <ResultCard event={event} />;
    case "system":
      return event.subtype === "init" ? (
        <p className={muted}>▶ {initSummary(event)}</p>
      ) : (
        <MutedLine label={`system/${str(event.subtype) ?? "?"}`}>{otherSummary(event) || null}</MutedLine>
      );
    case "assistant":
    case "user": {
      const blocks = blocksOf(event);
      if (blocks.length === 0) return <MutedLine label={eventTypeOf(event)} />;
      return (
        <div className="space-y-1.5">
          {blocks.map((block, i) =>
            event.type === "user" && block.type === "text" ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the blocks of one stored event never change
              <MutedLine key={i} label="user">
                {oneLine(str(block.text) ?? "", 200)}
              </MutedLine>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: the blocks of one stored event never change
              <Block key={i} event={event} block={block} related={related} />
            ),
          )}
        </div>
      );
    }
    default:
      return <MutedLine label={eventTypeOf(event)}>{otherSummary(event) || null}</MutedLine>;
  }
}

/** The tool calls and results an event refers to, so a memoised row changes only when its own do. */
function relatedOf(event: unknown, tools: ReturnType<typeof indexTools>): Map<string, Json> {
  const related = new Map<string, Json>();
  if (!isObject(event)) return related;
  for (const block of blocksOf(event)) {
    const callId = str(block.id);
    const resultOf = str(block.tool_use_id);
    if (block.type === "tool_use" && callId) {
      const result = tools.results.get(callId);
      if (result) related.set(callId, result);
    }
    if (block.type === "tool_result" && resultOf) {
      const use = tools.uses.get(resultOf);
      if (use) related.set(resultOf, use);
    }
  }
  return related;
}

const sameRelated = (a: Map<string, Json>, b: Map<string, Json>) =>
  a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);

const EventRow = memo(
  function EventRow({
    index,
    event,
    raw,
    related,
  }: {
    index: number;
    event: unknown;
    raw: boolean;
    related: Map<string, Json>;
  }) {
    const type = eventTypeOf(event);
    return (
      <li data-event-index={index} data-event-type={type} className="py-1.5">
        {raw ? (
          <p className="whitespace-pre-wrap break-all font-mono text-xs">
            {isObject(event) && event.type === "raw" ? str(event.text) : JSON.stringify(event)}
          </p>
        ) : (
          <EventBody event={event} related={related} />
        )}
      </li>
    );
  },
  (a, b) =>
    a.index === b.index && a.event === b.event && a.raw === b.raw && sameRelated(a.related, b.related),
);

const connectionLabels: Record<EventsConnection, string> = {
  connecting: "connecting…",
  live: "● live",
  reconnecting: "reconnecting…",
  ended: "",
  gone: "no such job",
};

/**
 * The job's events as they arrive, newest at the bottom, kept at the bottom while the reader is
 * there; earlier ones page in above without moving what is on screen.
 */
export function JobEventsView({
  jobId,
  start,
  status,
  onStatus,
}: {
  jobId: string;
  start: number;
  status: string;
  onStatus: (status: string) => void;
}) {
  const rawId = useId();
  const stream = useJobEvents(jobId, start, onStatus);
  const [raw, setRaw] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const tools = useMemo(() => indexTools(stream.events), [stream.events]);
  const last = stream.first + stream.events.length - 1;
  const fromBottom = useRef<number | null>(null);

  // New events keep the view at the bottom unless the reader scrolled up; earlier ones keep it still.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the content changes, measured in the DOM
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    if (fromBottom.current !== null) {
      element.scrollTop = element.scrollHeight - fromBottom.current;
      fromBottom.current = null;
    } else if (atBottom) element.scrollTop = element.scrollHeight;
  }, [last, stream.first, raw, atBottom]);

  const onScroll = () => {
    const element = box.current;
    if (element) setAtBottom(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
  };
  const loadEarlier = () => {
    const element = box.current;
    if (element) fromBottom.current = element.scrollHeight - element.scrollTop;
    void stream.loadEarlier();
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        {stream.first > 0 ? (
          <button
            type="button"
            className={smallButtonClass}
            disabled={stream.earlier.loading}
            onClick={loadEarlier}
          >
            {stream.earlier.loading
              ? "Loading…"
              : `Show earlier events (${stream.first.toLocaleString()} not shown)`}
          </button>
        ) : null}
        <span className="text-xs tabular-nums text-zinc-500 dark:text-zinc-400">
          {stream.events.length === 0
            ? "no events"
            : `events ${stream.first.toLocaleString()}–${last.toLocaleString()}`}
        </span>
        <span
          aria-live="polite"
          className={`text-xs ${stream.connection === "live" ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-500"}`}
        >
          {connectionLabels[stream.connection]}
        </span>
        <label htmlFor={rawId} className="ml-auto inline-flex items-center gap-1.5 text-sm">
          <input
            id={rawId}
            type="checkbox"
            checked={raw}
            onChange={(event) => setRaw(event.target.checked)}
          />
          Raw
        </label>
      </div>
      {stream.earlier.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Could not load earlier events: {stream.earlier.error}
        </p>
      ) : null}
      <div className="relative">
        <div
          ref={box}
          onScroll={onScroll}
          role="log"
          aria-label="Job events"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
          tabIndex={0}
          className={`max-h-[36rem] min-h-24 overflow-auto rounded-md border border-zinc-200 px-3 py-1.5 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:border-zinc-800 ${raw ? "bg-zinc-950 text-zinc-100" : "bg-white dark:bg-zinc-950"}`}
        >
          {stream.events.length === 0 ? (
            <div className="py-1.5">
              {!stream.received && stream.connection !== "gone" ? (
                <Skeleton lines={3} />
              ) : (
                <p className="text-sm text-zinc-500 dark:text-zinc-400">
                  {status === "pending"
                    ? "Waiting to start: Claude Code's output appears here as it comes."
                    : status === "running"
                      ? "Started; Claude Code has printed nothing yet."
                      : "This job printed no output."}
                </p>
              )}
            </div>
          ) : (
            <ol className={`divide-y ${raw ? "divide-zinc-800" : "divide-zinc-100 dark:divide-zinc-800/60"}`}>
              {stream.events.map((event, i) => (
                <EventRow
                  // biome-ignore lint/suspicious/noArrayIndexKey: the event's index in the job's output, which never changes
                  key={stream.first + i}
                  index={stream.first + i}
                  event={event}
                  raw={raw}
                  related={relatedOf(event, tools)}
                />
              ))}
            </ol>
          )}
        </div>
        {atBottom ? null : <JumpToLatestButton onClick={() => setAtBottom(true)} />}
      </div>
    </div>
  );
}
