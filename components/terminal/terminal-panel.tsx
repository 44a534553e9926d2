"use client";

import { type FormEvent, type KeyboardEvent, useRef, useState } from "react";
import type { AgentLive } from "@/components/agents/agent-types";
import { buttonClass, Fix, smallButtonClass, tabKeyTarget } from "@/components/ui";
import type { TerminalProfile } from "@/shared/terminal-protocol";
import {
  reconnectDelaysMs,
  splitArgs,
  statusLabel,
  type TerminalStatus,
  terminalLabel,
} from "./terminal-status";
import { type TerminalSpec, TerminalView } from "./terminal-view";

type OpenTerminal = {
  id: number;
  spec: TerminalSpec;
  label: string;
  /** A restart is a new run: a new xterm and a new terminal on the server. */
  run: number;
  status: TerminalStatus;
};

const fieldClass =
  "w-56 max-w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-950 focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/30";

const dotClass: Record<TerminalStatus["kind"], string> = {
  connecting: "bg-amber-400",
  live: "bg-emerald-500",
  reconnecting: "bg-amber-400 animate-pulse",
  ended: "bg-zinc-400 dark:bg-zinc-600",
};

/** "Run openclaw…": its arguments, asked for in place. */
function OpenclawArgsForm({ onRun, onCancel }: { onRun: (args: string[]) => void; onCancel: () => void }) {
  const [text, setText] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onRun(splitArgs(text));
  };
  return (
    <form
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
      className="flex items-center gap-2"
      aria-label="Run openclaw"
    >
      <span className="font-mono text-sm text-zinc-600 dark:text-zinc-400">openclaw</span>
      <input
        // biome-ignore lint/a11y/noAutofocus: the field was asked for by the click that showed it
        autoFocus
        aria-label="openclaw arguments"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="e.g. agents list"
        autoComplete="off"
        spellCheck={false}
        className={fieldClass}
      />
      <button type="submit" className={buttonClass}>
        Run
      </button>
      <button type="button" className={buttonClass} onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** What the visible terminal is doing, when that needs saying, and its Restart once it ended. */
function StatusLine({
  terminal,
  canRestart,
  onRestart,
}: {
  terminal: OpenTerminal;
  canRestart: boolean;
  onRestart: () => void;
}) {
  const { status } = terminal;
  return (
    <div className="flex min-h-8 flex-wrap items-center gap-3 py-1 text-sm" aria-live="polite">
      {status.kind === "connecting" ? (
        <span className="text-zinc-600 dark:text-zinc-400">Connecting…</span>
      ) : status.kind === "reconnecting" ? (
        <span className="text-amber-700 dark:text-amber-400">
          Reconnecting… (try {status.attempt} of {reconnectDelaysMs.length})
        </span>
      ) : status.kind === "ended" ? (
        <>
          <span className="text-zinc-700 dark:text-zinc-300">
            {status.code === null
              ? `Ended: ${status.reason}`
              : `The process exited with code ${status.code}.`}
          </span>
          {canRestart ? (
            <button type="button" className={smallButtonClass} onClick={onRestart}>
              Restart
            </button>
          ) : null}
        </>
      ) : null}
      <span className="ml-auto hidden text-xs text-zinc-500 sm:inline dark:text-zinc-400">
        Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes
      </span>
      {status.kind === "ended" && status.fix ? (
        <div className="w-full">
          <Fix command={status.fix} />
        </div>
      ) : null}
    </div>
  );
}

/**
 * The agent page's Terminal tab: shells, the OpenClaw TUI or one `openclaw …` command in the
 * agent's container, several at once. Every terminal stays mounted while its tab is open, so
 * switching between them keeps their screens; only the selected one is shown.
 */
export function TerminalPanel({ agent, live }: { agent: string; live: AgentLive | null }) {
  const [terminals, setTerminals] = useState<OpenTerminal[]>([]);
  const [activeId, setActiveId] = useState<number | null>(null);
  const [askingArgs, setAskingArgs] = useState(false);
  const counters = useRef<Record<TerminalProfile, number> & { next: number }>({
    next: 1,
    shell: 0,
    tui: 0,
    openclaw: 0,
  });
  const tabRefs = useRef(new Map<number, HTMLButtonElement>());

  const running = live?.state === "running";
  // Paused or unknown (Podman unreachable) may come back as they were; the rest has ended.
  const down =
    live !== null && live.state !== "running" && live.state !== "paused" && live.state !== "unknown";

  const open = (profile: TerminalProfile, args: string[] = []) => {
    const counter = counters.current;
    const id = counter.next++;
    counter[profile] += 1;
    const label = terminalLabel(profile, args, counter[profile]);
    setTerminals((list) => [
      ...list,
      { id, spec: { agent, profile, args }, label, run: 0, status: { kind: "connecting" } },
    ]);
    setActiveId(id);
  };

  const select = (id: number, focus = false) => {
    setActiveId(id);
    if (focus) tabRefs.current.get(id)?.focus();
  };

  const close = (id: number) => {
    const index = terminals.findIndex((terminal) => terminal.id === id);
    const rest = terminals.filter((terminal) => terminal.id !== id);
    setTerminals(rest);
    if (activeId === id) {
      const next = rest[Math.min(index, rest.length - 1)];
      setActiveId(next?.id ?? null);
      if (next) requestAnimationFrame(() => tabRefs.current.get(next.id)?.focus());
    }
  };

  const restart = (id: number) =>
    setTerminals((list) =>
      list.map((terminal) =>
        terminal.id === id
          ? { ...terminal, run: terminal.run + 1, status: { kind: "connecting" } }
          : terminal,
      ),
    );

  const setStatus = (id: number, status: TerminalStatus) =>
    setTerminals((list) => list.map((terminal) => (terminal.id === id ? { ...terminal, status } : terminal)));

  const onTabKeyDown = (event: KeyboardEvent, id: number) => {
    const index = terminals.findIndex((terminal) => terminal.id === id);
    if (event.key === "Delete") {
      event.preventDefault();
      return close(id);
    }
    const target = tabKeyTarget(terminals, index, event.key);
    if (!target) return;
    event.preventDefault();
    select(target.id, true);
  };

  const active = terminals.find((terminal) => terminal.id === activeId);

  return (
    <div className="space-y-3">
      {running ? (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" className={buttonClass} onClick={() => open("shell")}>
            New shell
          </button>
          <button type="button" className={buttonClass} onClick={() => open("tui")}>
            OpenClaw TUI
          </button>
          {askingArgs ? (
            <OpenclawArgsForm
              onRun={(args) => {
                setAskingArgs(false);
                open("openclaw", args);
              }}
              onCancel={() => setAskingArgs(false)}
            />
          ) : (
            <button type="button" className={buttonClass} onClick={() => setAskingArgs(true)}>
              Run openclaw…
            </button>
          )}
        </div>
      ) : live ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {live.state === "paused"
            ? "The agent is paused; resume it to open a terminal."
            : "Start the agent to open a terminal."}
        </p>
      ) : null}

      {terminals.length === 0 ? (
        running ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            A terminal runs in the agent's container as its own user, in /workspace, with the container's
            limits and network policy.
          </p>
        ) : null
      ) : (
        <div>
          <div
            role="tablist"
            aria-label="Terminals"
            className="flex flex-wrap gap-1 border-b border-zinc-200 dark:border-zinc-800"
          >
            {terminals.map((terminal) => {
              const selected = terminal.id === activeId;
              return (
                <div
                  key={terminal.id}
                  className={`-mb-px flex items-center rounded-t-md border ${
                    selected
                      ? "border-zinc-200 border-b-zinc-50 bg-zinc-50 dark:border-zinc-800 dark:border-b-zinc-950 dark:bg-zinc-950"
                      : "border-transparent"
                  }`}
                >
                  <button
                    ref={(element) => {
                      if (element) tabRefs.current.set(terminal.id, element);
                      else tabRefs.current.delete(terminal.id);
                    }}
                    type="button"
                    role="tab"
                    id={`terminal-tab-${terminal.id}`}
                    aria-selected={selected}
                    aria-controls={`terminal-panel-${terminal.id}`}
                    tabIndex={selected ? 0 : -1}
                    onClick={() => select(terminal.id)}
                    onKeyDown={(event) => onTabKeyDown(event, terminal.id)}
                    data-terminal-status={terminal.status.kind}
                    className="flex items-center gap-2 py-1.5 pr-1 pl-3 text-sm font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 aria-selected:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-selected:text-zinc-100"
                  >
                    <span aria-hidden className={`size-2 rounded-full ${dotClass[terminal.status.kind]}`} />
                    <span className="max-w-56 truncate font-mono">{terminal.label}</span>
                    <span className="text-xs font-normal text-zinc-500 dark:text-zinc-400">
                      {statusLabel(terminal.status)}
                    </span>
                  </button>
                  <button
                    type="button"
                    aria-label={`Close ${terminal.label}`}
                    title="Close (Delete)"
                    tabIndex={selected ? 0 : -1}
                    onClick={() => close(terminal.id)}
                    className="mr-1 rounded px-1.5 text-base leading-none text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
                  >
                    ×
                  </button>
                </div>
              );
            })}
          </div>
          {active ? (
            <StatusLine terminal={active} canRestart={running} onRestart={() => restart(active.id)} />
          ) : null}
          {terminals.map((terminal) => (
            <div
              key={`${terminal.id}:${terminal.run}`}
              role="tabpanel"
              id={`terminal-panel-${terminal.id}`}
              aria-labelledby={`terminal-tab-${terminal.id}`}
              hidden={terminal.id !== activeId}
              data-terminal-active={terminal.id === activeId}
            >
              <TerminalView
                spec={terminal.spec}
                active={terminal.id === activeId}
                agentRunning={!down}
                onStatus={(status) => setStatus(terminal.id, status)}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
