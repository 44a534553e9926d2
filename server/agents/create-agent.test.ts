import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { clawPaths } from "../config";
import { agentFilePaths } from "./agent-files";
import { relockAgent, verifyAgentPolicy } from "./agent-policy";
import { type AgentDeps, createAgent } from "./create-agent";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close();
  await log?.db.$disconnect();
  log = undefined;
});

async function setup(imageDigest?: string) {
  log = await createTestAuditLog();
  const paths = clawPaths(join(log.dir, "home"));
  let digest = imageDigest;
  const deps: AgentDeps = {
    paths,
    db: log.db,
    audit: log.audit,
    hostKey: log.hostKey,
    imageDigest: async () => digest,
    host: async () => ({ rootless: false, panelPort: 7878 }),
  };
  return { deps, paths, setImageDigest: (next: string) => (digest = next) };
}

describe("createAgent", () => {
  it("writes the agent's files and row together, and its policy validates", async () => {
    const { deps, paths } = await setup();
    const agent = await createAgent(deps, { name: "coder-1", template: "coder", actor: "cli" });
    expect(agent).toMatchObject({
      name: "coder-1",
      template: "coder",
      networkProfile: "restricted",
      imageDigest: "unbuilt",
    });
    const files = agentFilePaths(paths.agents, "coder-1");
    expect((await readdir(files.dir)).sort()).toEqual(
      [
        "agent.yaml",
        "container-spec.json",
        "logs",
        "openclaw.json",
        "policy.lock.json",
        "run",
        "state",
        "template.yaml",
        "workspace",
      ].sort(),
    );
    expect(await readFile(files.agentsMd, "utf8")).toContain("/workspace");
    expect((await verifyAgentPolicy(deps, "coder-1")).state).toBe("ok");
    const events = await deps.db.auditEvent.findMany();
    expect(events.map((e) => [e.action, e.agent])).toEqual([["agent_created", "coder-1"]]);
  });

  it.each(["../etc", "Coder", "a/b", "-x", "x".repeat(41), "", "con sole"])(
    "refuses the name %j and leaves nothing",
    async (name) => {
      const { deps, paths } = await setup();
      await expect(createAgent(deps, { name, template: "coder", actor: "cli" })).rejects.toThrow(
        /not a valid agent name/,
      );
      expect(await readdir(paths.agents).catch(() => [])).toEqual([]);
      expect(await deps.db.agent.count()).toBe(0);
    },
  );

  it("refuses a duplicate name and an unknown template, leaving the first agent as it was", async () => {
    const { deps, paths } = await setup();
    await createAgent(deps, { name: "a1", template: "reviewer", actor: "cli" });
    await expect(createAgent(deps, { name: "a1", template: "coder", actor: "cli" })).rejects.toThrow(
      /already exists/,
    );
    await expect(createAgent(deps, { name: "a2", template: "nope", actor: "cli" })).rejects.toThrow(
      /No template named "nope"/,
    );
    expect((await readdir(paths.agents)).sort()).toEqual(["a1"]);
    expect((await deps.db.agent.findMany()).map((a) => a.template)).toEqual(["reviewer"]);
  });

  it("removes the directory again when the database step fails", async () => {
    const { deps, paths } = await setup();
    await deps.audit.close(); // the audit transaction now refuses: the row and its event cannot be written
    await expect(createAgent(deps, { name: "a1", template: "coder", actor: "cli" })).rejects.toThrow(
      /closed/,
    );
    expect(await readdir(paths.agents)).toEqual([]);
    expect(await deps.db.agent.count()).toBe(0);
  });
});

describe("agent policy tamper matrix (real files)", () => {
  const cases: [
    string,
    (files: ReturnType<typeof agentFilePaths>, other: ReturnType<typeof agentFilePaths>) => Promise<void>,
    string,
  ][] = [
    [
      "openclaw.json edited",
      (f) => edit(f.openclawJson, (t) => t.replace('"loopback"', '"lan"')),
      "artifact_tamper",
    ],
    [
      "container-spec.json edited",
      (f) => edit(f.containerSpecJson, (t) => t.replace('"ALL"', '"NET_RAW"')),
      "artifact_tamper",
    ],
    [
      "template snapshot edited",
      (f) => edit(f.templateSnapshot, (t) => t.replace("pids: 1024", "pids: 4096")),
      "template_drift",
    ],
    [
      "lock payload edited",
      (f) =>
        edit(f.lock, (t) => {
          const envelope = JSON.parse(t);
          const payload = JSON.parse(Buffer.from(envelope.payload, "base64").toString());
          payload.network.profile = "full";
          envelope.payload = Buffer.from(JSON.stringify(payload)).toString("base64");
          return JSON.stringify(envelope);
        }),
      "bad_signature",
    ],
    [
      "signature edited",
      (f) =>
        edit(f.lock, (t) => t.replace(/"sig": "(.)/, (_m, c: string) => `"sig": "${c === "A" ? "B" : "A"}`)),
      "bad_signature",
    ],
    [
      "another agent's lock swapped in",
      async (f, other) => writeFile(f.lock, await readFile(other.lock, "utf8")),
      "bad_signature",
    ],
    ["lock removed", (f) => rm(f.lock), "unlocked"],
  ];

  async function edit(path: string, change: (text: string) => string) {
    await writeFile(path, change(await readFile(path, "utf8")));
  }

  it.each(cases)("%s", async (_name, tamper, state) => {
    const { deps, paths } = await setup();
    await createAgent(deps, { name: "victim", template: "coder", actor: "cli" });
    await createAgent(deps, { name: "other", template: "coder", actor: "cli" });
    await tamper(agentFilePaths(paths.agents, "victim"), agentFilePaths(paths.agents, "other"));
    const verdict = await verifyAgentPolicy(deps, "victim");
    expect(verdict.state).toBe(state);
    expect((await verifyAgentPolicy(deps, "other")).state).toBe("ok");
  });

  it("notices a new image digest, and re-lock adopts it, chaining the locks and auditing before/after", async () => {
    const { deps, setImageDigest } = await setup(`sha256:${"1".repeat(64)}`);
    const agent = await createAgent(deps, { name: "victim", template: "devops", actor: "cli" });
    setImageDigest(`sha256:${"2".repeat(64)}`);
    expect((await verifyAgentPolicy(deps, "victim")).state).toBe("image_drift");
    const relocked = await relockAgent(deps, "victim", "cli");
    expect(relocked.stateBefore).toBe("image_drift");
    expect((await verifyAgentPolicy(deps, "victim")).state).toBe("ok");
    const event = await deps.db.auditEvent.findFirst({ where: { action: "policy_relocked" } });
    const details = JSON.parse(event?.details ?? "{}");
    expect(details.before).toMatchObject({ lockDigest: agent.lockDigest, image: `sha256:${"1".repeat(64)}` });
    expect(details.after).toMatchObject({
      lockDigest: relocked.lockDigest,
      image: `sha256:${"2".repeat(64)}`,
    });
  });
});
