import { describe, expect, it } from "vitest";
import { createScrollback, profileCommand } from "./terminal-sessions";
import { createTicketStore } from "./terminal-tickets";

const claim = { owner: "panel:abc", agent: "a1", profile: "shell" as const, args: [], cols: 80, rows: 24 };

describe("terminal tickets", () => {
  it("are single-use, bound to the login that asked, and expire", () => {
    let now = 1_000;
    const store = createTicketStore({ ttlMs: 30_000, now: () => now });
    const { ticket } = store.issue(claim);
    expect(store.redeem(ticket, "panel:other")).toBeUndefined(); // another login: refused, and burnt
    expect(store.redeem(ticket, "panel:abc")).toBeUndefined();
    const second = store.issue(claim).ticket;
    expect(store.redeem(second, "panel:abc")).toEqual(claim);
    expect(store.redeem(second, "panel:abc")).toBeUndefined();
    const late = store.issue(claim).ticket;
    now += 30_001;
    expect(store.redeem(late, "panel:abc")).toBeUndefined();
    expect(store.redeem("", "panel:abc")).toBeUndefined();
  });
});

describe("terminal plumbing", () => {
  it("keeps the newest bytes of scrollback only", () => {
    const ring = createScrollback(10);
    ring.push(Buffer.from("0123456"));
    ring.push(Buffer.from("789abc"));
    expect(ring.contents().toString()).toBe("3456789abc");
    ring.push(Buffer.from("0123456789ABCDEF"));
    expect(ring.contents().toString()).toBe("6789ABCDEF");
  });

  it("runs each profile as an argument vector, never through a shell string", () => {
    expect(profileCommand("shell", ["ignored"])).toEqual(["/bin/bash", "-l"]);
    expect(profileCommand("tui", [])).toEqual(["openclaw", "tui"]);
    expect(profileCommand("openclaw", ["status", "; rm -rf /"])).toEqual([
      "openclaw",
      "status",
      "; rm -rf /",
    ]);
  });
});
