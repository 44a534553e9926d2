import { getPanelStatus, type PanelStatus } from "./get-panel-status";
import type { PanelServices } from "./panel-services";

export type StatusListener = (status: PanelStatus) => void;

export type StatusFeed = {
  /** Hears every poll from now on; returns the way to stop hearing. */
  subscribe(listener: StatusListener): () => void;
  /** An answer now (shared with any poll under way). */
  now(): Promise<PanelStatus>;
};

/**
 * One poll for every open status socket: each tick reads the status once and hands the same
 * answer to all of them, so 50 open pages cost what one does. It runs only while someone listens.
 */
export function createStatusFeed(read: () => Promise<PanelStatus>, intervalMs = 5_000): StatusFeed {
  const listeners = new Set<StatusListener>();
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<PanelStatus> | undefined;

  const now = () => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const tick = () => {
    if (reading) return;
    void now().then(
      (status) => {
        for (const listener of listeners) listener(status);
      },
      (error: Error) => console.error(`claw: status poll failed: ${error.message}`),
    );
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!timer) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    now,
  };
}

const feeds = new WeakMap<PanelServices, StatusFeed>();

/** The panel's one status feed (built on first use). */
export function statusFeedOf(services: PanelServices): StatusFeed {
  let feed = feeds.get(services);
  if (!feed) {
    feed = createStatusFeed(() => getPanelStatus(services));
    feeds.set(services, feed);
  }
  return feed;
}
