// An agent's egress policy against a real panel. Concurrent allowlist edits over tRPC: each edit
// reads the agent's own template copy and its lock and writes both back, so without running one
// after another two edits would lose one's entries or chain two locks to the same previous one.
// Deleting the agent ends every grant of its, not only those lasting until it stops.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../server/db/client";
import { newShortId } from "../server/short-id";
import { runCli } from "./run-cli";
import { cliEnvOf, type PanelClient, panelClient, type RunningPanel, startPanel } from "./start-panel";

type AuditEvent = { action: string; details: Record<string, unknown> };

describe("an agent's egress policy and grants", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let db: Db;
  let client: PanelClient;
  const agent = "edit-coder";

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    db = createDb(join(panel.home, "claw.db"));
    client = panelClient(panel);
    const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
    expect(created.stderr).toBe("");
  }, 240_000);
  afterAll(async () => {
    await db?.$disconnect();
    await panel?.stop();
  });

  it("keeps every concurrent edit and one unbroken lock chain", async () => {
    const hosts = Array.from({ length: 6 }, (_, index) => `host${index}.example.org`);
    const results = await Promise.allSettled([
      ...hosts.map((host) => client.approvals.applyProposal.mutate({ agent, hours: 1, add: [host] })),
      client.approvals.setMode.mutate({ agent, mode: "ask" }),
      client.agents.relock.mutate({ name: agent }),
      client.approvals.applyProposal.mutate({ agent, hours: 1, add: ["last.example.org"] }),
    ]);
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);

    const own = await readFile(join(panel.home, "agents", agent, "own-template.yaml"), "utf8");
    for (const host of [...hosts, "last.example.org"]) expect(own).toContain(`- ${host}`);
    expect(own).toMatch(/^ {4}mode: ask$/m);

    const tail = await runCli(
      ["audit", "tail", "--json", "-n", "200", "--category", "policy", "--agent", agent],
      env,
    );
    expect(tail.code, tail.stderr).toBe(0);
    const relocks = tail.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((event) => event.action === "policy_relocked")
      .map((event) => event.details as { before: { lockDigest: string }; after: { lockDigest: string } });
    expect(relocks).toHaveLength(hosts.length + 3);
    // Each re-lock chains to the one before it: no two to the same lock.
    const chainedTo = relocks.map((relock) => relock.before.lockDigest);
    expect(new Set(chainedTo).size).toBe(chainedTo.length);
    const digests = new Set(relocks.map((relock) => relock.after.lockDigest));
    expect(chainedTo.filter((digest) => !digests.has(digest))).toHaveLength(1);

    // The files on disk are those of the last lock.
    const verdict = await client.agents.validate.mutate({ name: agent });
    expect(verdict.findings).toEqual([]);
    expect(verdict.state).toBe("ok");
  }, 240_000);

  it("ends every grant of a deleted agent, whatever its kind", async () => {
    const doomed = "doomed-coder";
    const created = await runCli(["agents", "create", "--template", "coder", "--name", doomed], env);
    expect(created.stderr).toBe("");
    const grant = (kind: string, extra: { expiresAt?: Date; usesLeft?: number }, owner = doomed) =>
      db.egressGrant.create({
        data: {
          id: newShortId("gr"),
          agent: owner,
          host: `${kind}.example.org`,
          port: 443,
          kind,
          createdBy: "test",
          ...extra,
        },
      });
    const grants = [
      await grant("minutes", { expiresAt: new Date(Date.now() + 3_600_000) }),
      await grant("uses", { usesLeft: 5 }),
      await grant("until_stop", {}),
    ];
    const other = await grant("minutes", { expiresAt: new Date(Date.now() + 3_600_000) }, agent);

    const deleted = await runCli(["agents", "delete", doomed], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    const after = await db.egressGrant.findMany({ where: { id: { in: grants.map((one) => one.id) } } });
    expect(after.map((one) => [one.kind, one.endReason, one.endedAt !== null]).sort()).toEqual([
      ["minutes", "stopped", true],
      ["until_stop", "stopped", true],
      ["uses", "stopped", true],
    ]);
    // Another agent's grant goes on.
    expect((await db.egressGrant.findUniqueOrThrow({ where: { id: other.id } })).endedAt).toBeNull();
  }, 240_000);
});
