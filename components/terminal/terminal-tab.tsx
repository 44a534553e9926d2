"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui";

/** xterm needs a browser (it measures fonts, draws on a canvas): the tab is rendered on the client only. */
export const TerminalTab = dynamic(() => import("./terminal-panel").then((module) => module.TerminalPanel), {
  ssr: false,
  loading: () => <Skeleton lines={6} />,
});
