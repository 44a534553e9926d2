import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { recordEgress } from "../egress/egress-test-events";
import { readEgressHistory } from "./egress-history";

let log: TestAuditLog;
beforeEach(async () => {
  log = await createTestAuditLog();
});
afterEach(async () => {
  await log.db.$disconnect();
  await rm(log.dir, { recursive: true, force: true });
});

const egress = (agent: string, allowed: boolean, details: Record<string, string | number>) =>
  recordEgress(log, agent, allowed, details);

describe("readEgressHistory", () => {
  it("reads the agent's learn-mode connections and denials in the window, newest first", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    await egress("a", true, {
      host: "learned.test",
      port: 443,
      rule: "learn mode",
      address: "93.184.216.34",
    });
    await egress("a", true, {
      host: "listed.test",
      port: 443,
      rule: "listed.test",
      address: "93.184.216.34",
    });
    await egress("a", false, {
      host: "off.test",
      port: 443,
      reason: "off.test:443 is not in this agent's allowlist",
    });
    await egress("b", true, { host: "other.test", port: 443, rule: "learn mode", address: "93.184.216.34" });
    await log.audit.record({
      category: "approval",
      action: "approval_requested",
      actor: "agent:a",
      agent: "a",
      outcome: "ok",
      details: { host: "asked.test", port: 443, rule: "learn mode" },
    });

    const history = await readEgressHistory(log.db, "a", hourAgo);
    expect(history.truncated).toBe(false);
    expect(history.events.map((event) => [event.action, (event.details as { host: string }).host])).toEqual([
      ["egress_denied", "off.test"],
      ["egress_allowed", "learned.test"],
    ]);
    expect(Date.parse(history.events[0]?.time ?? "")).toBeGreaterThanOrEqual(hourAgo.getTime());

    // A window that starts after the events holds none of them.
    expect((await readEgressHistory(log.db, "a", new Date(Date.now() + 60_000))).events).toEqual([]);
  });

  it("stops at the cap and says so", async () => {
    for (const host of ["one.test", "two.test", "three.test"])
      await egress("a", false, { host, port: 443, reason: `${host}:443 is not in this agent's allowlist` });
    const history = await readEgressHistory(log.db, "a", new Date(0), 2);
    expect(history.truncated).toBe(true);
    expect(history.events.map((event) => (event.details as { host: string }).host)).toEqual([
      "three.test",
      "two.test",
    ]);
  });
});
