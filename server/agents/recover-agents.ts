import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import type { HostKey } from "../keys/host-key";
import type { Libpod } from "../podman/libpod";
import type { PodmanService } from "../podman/podman-service";
import { canonicalDigest, type LockPayload, openLock } from "../policy/policy-lock";
import { dnsLabel } from "../policy/template-schema";
import { verifyPolicy } from "../policy/verify-policy";
import { readAgentFiles } from "./agent-files";
import { creatingPrefix } from "./create-agent";
import { dropAgentRecords } from "./delete-agent";

export type FolderRecoveryDeps = {
  paths: Pick<ClawPaths, "agents" | "trash">;
  db: Db;
  audit: AuditLog;
  hostKey: Pick<HostKey, "publicKey">;
};

/** Something recovery found and could not put right; Doctor lists what is still there. */
export type Leftover = { path: string; problem: string };

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * At start, before anything serves: what a crash mid-create, mid-delete or mid-re-lock left
 * between an agent's folder and its row is finished or undone, each step audited. A create's temp
 * folder goes; a complete folder without a row (the crash fell between rename and insert) gets its
 * row, from its own signed lock; anything else without a row goes to the trash. A row whose folder
 * is already in the trash (a delete cut short) is dropped. A signed re-lock whose row update was
 * lost is recorded.
 */
export async function recoverAgentFolders(deps: FolderRecoveryDeps): Promise<{
  done: string[];
  left: Leftover[];
}> {
  const done: string[] = [];
  const left: Leftover[] = [];
  const entries = await readdir(deps.paths.agents, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const rows = await deps.db.agent.findMany({ select: { name: true, lockDigest: true } });
  const rowOf = new Map(rows.map((row) => [row.name, row]));
  const folders = new Set<string>();

  for (const entry of entries) {
    const path = join(deps.paths.agents, entry.name);
    if (entry.name.startsWith(creatingPrefix)) {
      const agent = /^(.+)-[0-9a-f]{8}$/.exec(entry.name.slice(creatingPrefix.length))?.[1] ?? null;
      try {
        await rm(path, { recursive: true, force: true });
        await abandoned(deps, agent, { folder: path, removed: true, reason: "a create was cut short" });
        done.push(`removed ${entry.name}, a create cut short`);
      } catch (error) {
        left.push({
          path,
          problem: `a create cut short left it, and it could not be removed: ${messageOf(error)}`,
        });
      }
      continue;
    }
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    folders.add(entry.name);
    const row = rowOf.get(entry.name);
    try {
      if (!row) done.push(await adoptOrTrash(deps, entry.name, path));
      else {
        const relocked = await finishRelock(deps, row);
        if (relocked) done.push(relocked);
      }
    } catch (error) {
      left.push({ path, problem: `recovery could not finish it: ${messageOf(error)}` });
    }
  }

  for (const row of rows) {
    if (folders.has(row.name)) continue;
    try {
      const trash = await trashedFolderOf(deps, row);
      if (trash) {
        await dropAgentRecords(deps.audit, row.name, "system", { trash, recovered: true });
        done.push(`finished deleting ${row.name} (its folder was already in ${trash})`);
      } else
        left.push({
          path: join(deps.paths.agents, row.name),
          problem: `the agent ${row.name} has no folder`,
        });
    } catch (error) {
      left.push({
        path: join(deps.paths.agents, row.name),
        problem: `recovery could not finish it: ${messageOf(error)}`,
      });
    }
  }
  return { done, left };
}

/** The lock, opened and checked against the files beside it; undefined unless all of it holds. */
async function verifiedLock(deps: FolderRecoveryDeps, name: string) {
  const files = await readAgentFiles(deps.paths.agents, name);
  const verdict = verifyPolicy({ agent: name, files, publicKey: deps.hostKey.publicKey });
  if (verdict.state !== "ok" || !files.lock) return { ok: false as const, why: verdict.findings[0]?.message };
  const envelope = JSON.parse(files.lock) as unknown;
  const opened = openLock(envelope, deps.hostKey.publicKey);
  if (!opened.ok) return { ok: false as const, why: opened.reason };
  return { ok: true as const, payload: opened.payload, digest: canonicalDigest(envelope) };
}

/** What the agents table keeps about a lock, read from the signed lock itself. */
function rowFieldsOf(payload: LockPayload, digest: string) {
  return {
    template: payload.template.name,
    templateSource: payload.template.source,
    networkProfile: payload.network.profile,
    imageRef: payload.image.ref,
    imageDigest: payload.image.digest,
    lockDigest: digest,
    lockedAt: new Date(payload.lockedAt),
  };
}

async function adoptOrTrash(deps: FolderRecoveryDeps, name: string, path: string): Promise<string> {
  const lock = dnsLabel.safeParse(name).success
    ? await verifiedLock(deps, name)
    : { ok: false as const, why: "its name is not an agent name" };
  const yaml = await readFile(join(path, "agent.yaml"), "utf8")
    .then((text) => parseYaml(text) as { name?: unknown; createdAt?: unknown })
    .catch(() => undefined);
  // Only a create's own first lock, signed by this host for this name, finishes as a create.
  if (lock.ok && lock.payload.previousLockDigest === null && yaml?.name === name) {
    const createdAt = typeof yaml.createdAt === "string" ? new Date(yaml.createdAt) : undefined;
    await deps.audit.transaction(async (tx, record) => {
      await tx.agent.create({
        data: {
          name,
          ...rowFieldsOf(lock.payload, lock.digest),
          ...(createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
        },
      });
      await record({
        category: "policy",
        action: "agent_create_recovered",
        actor: "system",
        agent: name,
        outcome: "ok",
        details: {
          template: lock.payload.template.name,
          templateSource: lock.payload.template.source,
          network: lock.payload.network.profile,
          lockDigest: lock.digest,
          templateHash: lock.payload.template.hash,
          artifacts: lock.payload.artifacts,
          reason: "its folder was complete and its row missing: a create was cut short",
        },
      });
    });
    return `finished creating ${name} (a create was cut short after its folder was written)`;
  }
  const trash = join(deps.paths.trash, `${name}-abandoned-${stamp()}`);
  await mkdir(deps.paths.trash, { recursive: true, mode: 0o700 });
  await rename(path, trash);
  const why = lock.ok
    ? "its lock is not a create's first lock"
    : (lock.why ?? "its name is not an agent name");
  await abandoned(deps, dnsLabel.safeParse(name).success ? name : null, {
    folder: path,
    trash,
    reason: `a folder without an agent: ${why}`,
  });
  return `moved ${path} to ${trash}: no agent has it (${why})`;
}

function abandoned(
  deps: FolderRecoveryDeps,
  agent: string | null,
  details: Record<string, string | boolean>,
) {
  return deps.audit.record({
    category: "policy",
    action: "agent_create_abandoned",
    actor: "system",
    agent,
    outcome: "error",
    details,
  });
}

/** A re-lock cut short after its lock was written: the row learns the lock, which chains to it. */
async function finishRelock(deps: FolderRecoveryDeps, row: { name: string; lockDigest: string }) {
  const lock = await verifiedLock(deps, row.name);
  if (!lock.ok || lock.digest === row.lockDigest || lock.payload.previousLockDigest !== row.lockDigest)
    return undefined;
  await deps.audit.transaction(async (tx, record) => {
    await tx.agent.update({ where: { name: row.name }, data: rowFieldsOf(lock.payload, lock.digest) });
    await record({
      category: "policy",
      action: "policy_relock_recovered",
      actor: "system",
      agent: row.name,
      outcome: "ok",
      details: {
        before: { lockDigest: row.lockDigest },
        after: {
          lockDigest: lock.digest,
          templateHash: lock.payload.template.hash,
          image: lock.payload.image.digest,
          artifacts: lock.payload.artifacts,
        },
        reason: "its signed lock was written and its row not updated: a re-lock was cut short",
      },
    });
  });
  return `finished re-locking ${row.name} (a re-lock was cut short after its lock was written)`;
}

/** The trash folder of a delete cut short: named after the agent, holding the very lock its row names. */
async function trashedFolderOf(deps: FolderRecoveryDeps, row: { name: string; lockDigest: string }) {
  const entries = await readdir(deps.paths.trash).catch(() => [] as string[]);
  for (const entry of entries
    .filter((candidate) => candidate.startsWith(`${row.name}-`))
    .sort()
    .reverse()) {
    const text = await readFile(join(deps.paths.trash, entry, "policy.lock.json"), "utf8").catch(
      () => undefined,
    );
    if (!text) continue;
    try {
      if (canonicalDigest(JSON.parse(text)) === row.lockDigest) return join(deps.paths.trash, entry);
    } catch {}
  }
  return undefined;
}

/**
 * The Podman the agent service uses: its first call, and the first after a failed try, waits for
 * `recover` (the running containers checked and adopted) so no sweep and no operation sees a
 * container recovery has not looked at.
 */
export function podmanAfterRecovery(
  podman: PodmanService,
  recover: (libpod: Libpod) => Promise<void>,
): PodmanService {
  let recovered: Promise<void> | undefined;
  return {
    ...podman,
    async get() {
      const connection = await podman.get();
      recovered ??= recover(connection.libpod).catch((error: unknown) => {
        recovered = undefined;
        throw error;
      });
      await recovered;
      return connection;
    },
  };
}
