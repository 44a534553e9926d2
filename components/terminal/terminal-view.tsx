"use client";

import "@xterm/xterm/css/xterm.css";
import { useMutation } from "@tanstack/react-query";
import { FitAddon } from "@xterm/addon-fit";
import { type ITheme, Terminal } from "@xterm/xterm";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { TerminalProfile } from "@/shared/terminal-protocol";
import { TerminalConnection } from "./terminal-connection";
import type { TerminalStatus } from "./terminal-status";

/** `localStorage["claw.terminal.renderer"] = "dom"` keeps xterm on its DOM renderer (the e2e reads its rows). */
export const rendererKey = "claw.terminal.renderer";

/** Dark in both themes: programs assume a dark terminal, and their colours are chosen for one. */
const theme: ITheme = {
  background: "#09090b",
  foreground: "#e4e4e7",
  cursor: "#34d399",
  cursorAccent: "#09090b",
  selectionBackground: "#3f3f46",
  selectionForeground: "#fafafa",
  scrollbarSliderBackground: "rgba(161, 161, 170, 0.25)",
  scrollbarSliderHoverBackground: "rgba(161, 161, 170, 0.45)",
  scrollbarSliderActiveBackground: "rgba(161, 161, 170, 0.6)",
};

const fontFamily = '"DejaVu Sans Mono", "Liberation Mono", ui-monospace, Menlo, Consolas, monospace';

function domRendererForced(): boolean {
  try {
    return window.localStorage.getItem(rendererKey) === "dom";
  } catch {
    return false;
  }
}

async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No async clipboard (or no permission): xterm's own copy handler answers the copy command.
    document.execCommand("copy");
  }
}

/** Ctrl+Shift+C copies the selection, Ctrl+Shift+V lets the browser paste; the rest is the program's. */
function clipboardKeys(term: Terminal) {
  return (event: KeyboardEvent): boolean => {
    if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
    if (event.code === "KeyC") {
      if (event.type === "keydown") {
        event.preventDefault();
        if (term.hasSelection()) void copyText(term.getSelection());
      }
      return false;
    }
    // Not handled by xterm, so the browser fires a paste event, which xterm sends to the program.
    return event.code !== "KeyV";
  };
}

export type TerminalSpec = { agent: string; profile: TerminalProfile; args: string[] };

/**
 * One xterm bound to one terminal on the server. Mounted once per run: the spec is read at mount,
 * and a restart is a new mount. Hidden views stay mounted so their screens survive tab switches.
 */
export function TerminalView({
  spec,
  active,
  agentRunning,
  onStatus,
}: {
  spec: TerminalSpec;
  active: boolean;
  agentRunning: boolean;
  onStatus: (status: TerminalStatus) => void;
}) {
  const trpc = useTRPC();
  const { mutateAsync: openTerminal } = useMutation(trpc.terminal.open.mutationOptions());
  const host = useRef<HTMLDivElement>(null);
  const mounted = useRef<{ fit: () => void; connection: TerminalConnection } | null>(null);
  const initialSpec = useRef(spec);
  const latest = useRef({ openTerminal, onStatus });
  useLayoutEffect(() => {
    latest.current = { openTerminal, onStatus };
  });
  const [renderer, setRenderer] = useState<"dom" | "webgl">("dom");
  const [terminalId, setTerminalId] = useState<string>();

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const { agent, profile, args } = initialSpec.current;
    const term = new Terminal({
      fontFamily,
      fontSize: 13,
      theme,
      cursorBlink: true,
      scrollback: 5_000,
    });
    const fitAddon = new FitAddon();
    term.loadAddon(fitAddon);
    term.open(element);
    // A hidden view has no size: fitting it then would shrink the program's screen to nothing.
    const fitToHost = () => {
      if (element.offsetWidth > 0 && element.offsetHeight > 0) fitAddon.fit();
    };
    fitToHost();

    let disposed = false;
    if (!domRendererForced()) {
      // WebGL draws faster; without it (headless, old GPU, lost context) the DOM renderer stays.
      import("@xterm/addon-webgl")
        .then(({ WebglAddon }) => {
          if (disposed) return;
          const webgl = new WebglAddon();
          webgl.onContextLoss(() => {
            webgl.dispose();
            setRenderer("dom");
          });
          term.loadAddon(webgl);
          setRenderer("webgl");
        })
        .catch(() => {});
    }

    const connection = new TerminalConnection(
      term,
      (request) => latest.current.openTerminal({ agent, profile, args, ...request }),
      (status) => latest.current.onStatus(status),
      setTerminalId,
    );
    term.onData((data) => connection.input(data));
    term.onBinary((data) => connection.binary(data));
    term.onResize(({ cols, rows }) => connection.resize(cols, rows));
    term.attachCustomKeyEventHandler(clipboardKeys(term));

    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(fitToHost);
    });
    observer.observe(element);

    mounted.current = { fit: fitToHost, connection };
    connection.start();
    term.focus();
    return () => {
      disposed = true;
      mounted.current = null;
      cancelAnimationFrame(frame);
      observer.disconnect();
      connection.dispose();
      term.dispose();
    };
  }, []);

  useEffect(() => {
    if (!agentRunning) mounted.current?.connection.stop("the agent stopped");
  }, [agentRunning]);

  // A view shown again after a tab switch takes the size the page has now.
  useEffect(() => {
    if (active) mounted.current?.fit();
  }, [active]);

  return (
    <div className="h-[60vh] min-h-64 rounded-md border border-zinc-800 bg-[#09090b] py-2 pl-2">
      <div
        ref={host}
        className="h-full w-full"
        data-terminal-id={terminalId}
        data-terminal-renderer={renderer}
      />
    </div>
  );
}
