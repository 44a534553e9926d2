// Recovery of what a crash leaves between agents' folders and rows, on a real SQLite file, a real
// key and real files; the crash itself is test/crash.test.ts's (the real panel, SIGKILLed).
import { access, mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { verifyAuditLog } from "../audit/verify-audit-log";
import { checkAgentFolders } from "../doctor/agent-folder-checks";
import { agentFilePaths } from "./agent-files";
import { relockAgent } from "./agent-policy";
import { testAgentDeps } from "./agent-test-fixtures";
import { createAgent } from "./create-agent";
import { recoverAgentFolders } from "./recover-agents";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close();
  await log?.db.$disconnect();
  log = undefined;
});

async function setup() {
  log = await createTestAuditLog();
  const deps = testAgentDeps(log);
  const { paths } = deps;
  const recover = () => recoverAgentFolders(deps);
  const actions = async () =>
    (await deps.db.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.action);
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  return { deps, paths, recover, actions, exists, log };
}

async function verifies(l: TestAuditLog) {
  await l.audit.checkpoint();
  const report = await verifyAuditLog({
    dbPath: l.dbPath,
    checkpointsPath: l.checkpointsPath,
    publicKey: l.hostKey.publicKey,
  });
  expect(report.ok, JSON.stringify(report)).toBe(true);
}

describe("recoverAgentFolders", () => {
  it("removes a create's temp folder, audited, and leaves agents that are whole alone", async () => {
    const { deps, paths, recover, actions, exists } = await setup();
    await createAgent(deps, { name: "whole", template: "reviewer", actor: "cli" });
    const temp = join(paths.agents, ".creating-half-0a1b2c3d");
    await mkdir(join(temp, "workspace"), { recursive: true });
    const result = await recover();
    expect(result.left).toEqual([]);
    expect(result.done).toEqual(["removed .creating-half-0a1b2c3d, a create cut short"]);
    expect(await exists(temp)).toBe(false);
    expect(await actions()).toEqual(["agent_created", "agent_create_abandoned"]);
    const event = await deps.db.auditEvent.findFirstOrThrow({ where: { action: "agent_create_abandoned" } });
    expect(event.agent).toBe("half");
    expect((await recover()).done).toEqual([]);
  });

  it("gives a complete folder without a row its row back, from its own signed lock", async () => {
    const { deps, recover, actions, log } = await setup();
    const created = await createAgent(deps, { name: "coder-1", template: "coder", actor: "cli" });
    // The crash fell between the folder's rename and the row's insert.
    await deps.db.agent.delete({ where: { name: "coder-1" } });
    const result = await recover();
    expect(result.done).toEqual([
      "finished creating coder-1 (a create was cut short after its folder was written)",
    ]);
    const row = await deps.db.agent.findUniqueOrThrow({ where: { name: "coder-1" } });
    expect({ ...row, createdAt: undefined }).toEqual({ ...created, createdAt: undefined });
    expect(await actions()).toEqual(["agent_created", "agent_create_recovered"]);
    await verifies(log);
    expect(await checkAgentFolders(deps.db, deps.paths.agents)).toMatchObject({ status: "ok" });
  });

  it("moves a folder whose files do not match its lock to the trash, and the name is free again", async () => {
    const { deps, paths, recover, actions, exists } = await setup();
    await createAgent(deps, { name: "bad", template: "reviewer", actor: "cli" });
    await deps.db.agent.delete({ where: { name: "bad" } });
    await writeFile(agentFilePaths(paths.agents, "bad").containerSpecJson, "{}\n");
    const result = await recover();
    expect(result.done[0]).toMatch(
      /^moved .*\/agents\/bad to .*\/trash\/bad-abandoned-.*container-spec.json/,
    );
    expect(await exists(agentFilePaths(paths.agents, "bad").dir)).toBe(false);
    expect((await readdir(paths.trash)).some((entry) => entry.startsWith("bad-abandoned-"))).toBe(true);
    expect(await actions()).toEqual(["agent_created", "agent_create_abandoned"]);
    await createAgent(deps, { name: "bad", template: "reviewer", actor: "cli" });
  });

  it("finishes a delete whose folder already went to the trash; without that folder it is left for Doctor", async () => {
    const { deps, paths, recover, actions, log } = await setup();
    await createAgent(deps, { name: "gone", template: "reviewer", actor: "cli" });
    await createAgent(deps, { name: "lost", template: "reviewer", actor: "cli" });
    await mkdir(paths.trash, { recursive: true });
    // An older delete of another agent of the same name sits in the trash too: not the one.
    await mkdir(join(paths.trash, "gone-2020-01-01T00-00-00-000Z"));
    await writeFile(join(paths.trash, "gone-2020-01-01T00-00-00-000Z", "policy.lock.json"), "{}");
    await rename(
      agentFilePaths(paths.agents, "gone").dir,
      join(paths.trash, "gone-2030-01-01T00-00-00-000Z"),
    );
    await rename(agentFilePaths(paths.agents, "lost").dir, join(log.dir, "elsewhere"));
    const result = await recover();
    expect(result.done).toEqual([
      `finished deleting gone (its folder was already in ${join(paths.trash, "gone-2030-01-01T00-00-00-000Z")})`,
    ]);
    expect(result.left).toEqual([
      { path: join(paths.agents, "lost"), problem: "the agent lost has no folder" },
    ]);
    expect(await deps.db.agent.findUnique({ where: { name: "gone" } })).toBeNull();
    expect(await actions()).toEqual(["agent_created", "agent_created", "agent_deleted"]);
    const doctor = await checkAgentFolders(deps.db, paths.agents);
    expect(doctor).toMatchObject({ status: "warn", fix: "claw agents delete lost" });
    expect(doctor.detail).toContain("the agent lost has no folder");
    await verifies(log);
  });

  it("records a re-lock whose lock was written but whose row was not updated", async () => {
    const { deps, recover, actions, log } = await setup();
    const created = await createAgent(deps, { name: "relocked", template: "reviewer", actor: "cli" });
    const relocked = await relockAgent(deps, "relocked", "cli");
    // As if the crash fell before the row's update (and its event).
    await deps.db.agent.update({ where: { name: "relocked" }, data: { lockDigest: created.lockDigest } });
    const result = await recover();
    expect(result.done).toEqual([
      "finished re-locking relocked (a re-lock was cut short after its lock was written)",
    ]);
    const row = await deps.db.agent.findUniqueOrThrow({ where: { name: "relocked" } });
    expect(row.lockDigest).toBe(relocked.lockDigest);
    expect(await actions()).toEqual(["agent_created", "policy_relocked", "policy_relock_recovered"]);
    await verifies(log);
  });
});
