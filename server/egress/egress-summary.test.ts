import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { summarizeEgress } from "./egress-summary";
import { recordEgress } from "./egress-test-events";

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

describe("summarizeEgress", () => {
  it("is all zeros for an agent without egress", async () => {
    expect(await summarizeEgress(log.db, "quiet")).toEqual({
      totals: { allowed: 0, denied: 0, expected: 0, bytesUp: 0, bytesDown: 0, firstAt: null, lastAt: null },
      hosts: [],
    });
  });

  it("totals this agent's connections and groups them by destination, latest first", async () => {
    await egress("a", true, { host: "api.test", port: 443, bytesUp: 100, bytesDown: 5000 });
    await egress("a", false, { host: "evil.test", port: 443, reason: "not on the allowlist" });
    await egress("a", true, { host: "api.test", port: 443, bytesUp: 20, bytesDown: 30 });
    await egress("b", true, { host: "api.test", port: 443, bytesUp: 1, bytesDown: 1 });
    await log.audit.record({
      category: "lifecycle",
      action: "agent_started",
      actor: "cli",
      agent: "a",
      outcome: "ok",
      details: {},
    });
    await egress("a", false, { host: "evil.test", port: 22, reason: "not on the allowlist" });

    const { totals, hosts } = await summarizeEgress(log.db, "a");
    expect(totals).toMatchObject({ allowed: 2, denied: 2, expected: 0, bytesUp: 120, bytesDown: 5030 });
    expect(totals.firstAt && totals.lastAt && totals.firstAt <= totals.lastAt).toBe(true);
    expect(hosts.map(({ lastAt: _, ...row }) => row)).toEqual([
      { host: "evil.test", port: 22, allowed: 0, denied: 1, bytesUp: 0, bytesDown: 0, expected: null },
      { host: "api.test", port: 443, allowed: 2, denied: 0, bytesUp: 120, bytesDown: 5030, expected: null },
      { host: "evil.test", port: 443, allowed: 0, denied: 1, bytesUp: 0, bytesDown: 0, expected: null },
    ]);
  });

  it("counts OpenClaw's refused plugin-catalog fetch as expected, apart from the denials to look at", async () => {
    const offList = (host: string, port: number) => `${host}:${port} is not in this agent's allowlist`;
    await egress("a", false, { host: "clawhub.ai", port: 443, reason: offList("clawhub.ai", 443) });
    await egress("a", false, { host: "clawhub.ai", port: 443, reason: offList("clawhub.ai", 443) });
    // The same host on another port, or a look-alike, is not the catalog fetch.
    await egress("a", false, { host: "clawhub.ai", port: 8443, reason: offList("clawhub.ai", 8443) });
    await egress("a", false, { host: "evil.clawhub.ai", port: 443, reason: offList("evil.clawhub.ai", 443) });
    await egress("a", true, { host: "api.test", port: 443, bytesUp: 1, bytesDown: 1 });

    const { totals, hosts } = await summarizeEgress(log.db, "a");
    expect(totals).toMatchObject({ allowed: 1, denied: 2, expected: 2 });
    const catalog = hosts.find((row) => row.host === "clawhub.ai" && row.port === 443);
    expect(catalog).toMatchObject({ denied: 2, expected: expect.stringContaining("openclaw-hub preset") });
    expect(hosts.filter((row) => row.expected !== null)).toHaveLength(1);
  });
});
