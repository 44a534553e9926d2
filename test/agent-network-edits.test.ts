// Concurrent allowlist edits of one agent, over tRPC against a real panel: each edit reads the
// agent's own template copy and its lock and writes both back, so without running one after
// another two edits would lose one's entries or chain two locks to the same previous one.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../server/routers/root";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

type AuditEvent = { action: string; details: Record<string, unknown> };

describe("concurrent network edits of one agent", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let client: ReturnType<typeof createTRPCClient<AppRouter>>;
  const agent = "edit-coder";

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: "http://localhost/api/trpc",
          fetch: (input, init) =>
            panel.fetch(input, { ...init, headers: { ...init?.headers, "x-claw-csrf": "1" } }),
        }),
      ],
    });
    const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
    expect(created.stderr).toBe("");
  }, 240_000);
  afterAll(async () => {
    await panel?.stop();
  });

  it("keeps every edit and one unbroken lock chain", async () => {
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
});
