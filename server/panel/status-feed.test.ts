import { describe, expect, it } from "vitest";
import type { PanelStatus } from "./get-panel-status";
import { createStatusFeed } from "./status-feed";

describe("status feed", () => {
  it("gives every open socket the same answer from one read per tick, and stops when none listens", async () => {
    let reads = 0;
    const status = { panel: { pid: 1 } } as unknown as PanelStatus;
    const feed = createStatusFeed(async () => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return status;
    }, 50);
    const heard: PanelStatus[][] = Array.from({ length: 50 }, () => []);
    const stops = heard.map((list) => feed.subscribe((answer) => list.push(answer)));
    // 50 sockets asking at once on open: one read between them.
    await Promise.all(heard.map(() => feed.now()));
    expect(reads).toBe(1);

    // Each tick reads once for all 50: reads never run ahead of what one socket heard.
    while ((heard[0]?.length ?? 0) < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads).toBeLessThanOrEqual((heard[0]?.length ?? 0) + 2);
    for (const list of heard) {
      expect(Math.abs(list.length - (heard[0]?.length ?? 0))).toBeLessThanOrEqual(1);
      expect(list.every((answer) => answer === status)).toBe(true);
    }

    for (const stop of stops) stop();
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reads).toBe(after);
  });
});
