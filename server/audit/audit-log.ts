import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Db, DbTransaction } from "../db/client";
import { AppError, diskFullError, isDiskFull } from "../errors";
import type { HostKey } from "../keys/host-key";
import {
  type AuditEventInput,
  type AuditEventRow,
  auditEventInput,
  checkpointStatement,
  genesisHash,
  hashEvent,
  maxDetailsBytes,
  type SignedCheckpoint,
} from "./audit-chain";
import { canonicalJson } from "./canonical-json";
import { appendLinesDurably, rewriteDurably } from "./checkpoint-file";
import { checkpointIntervalFromEnv } from "./checkpoint-interval";
import { checkpointLine, describeRepair, planCheckpointRepair } from "./plan-checkpoint-repair";

export type AuditLog = {
  /** Appends one event in its own transaction. */
  record(event: AuditEventInput): Promise<AuditEventRow>;
  /**
   * Appends one event inside the caller's transaction, so the change and its record commit
   * together (or neither does). Call `committed()` once that transaction has committed.
   */
  recordIn(tx: DbTransaction, event: AuditEventInput): Promise<AuditEventRow>;
  committed(): Promise<void>;
  /** `db.$transaction` whose events (recorded with the given `record`) commit with its changes. */
  transaction<T>(
    work: (tx: DbTransaction, record: (event: AuditEventInput) => Promise<AuditEventRow>) => Promise<T>,
  ): Promise<T>;
  /** Signs a checkpoint now if there are rows since the last one. */
  checkpoint(): Promise<SignedCheckpoint | undefined>;
  /**
   * Runs `work` with no checkpoint half-written: a running one finishes first, new ones wait.
   * A verify of the live log reads the file and the DB inside it, or it could see a checkpoint
   * whose row has committed but whose line is not in the file yet.
   */
  quiet<T>(work: () => Promise<T>): Promise<T>;
  /** Called after each append that has committed (the live tail wakes on it). */
  onAppend(listener: () => void): () => void;
  /**
   * At start: makes checkpoints.log and the DB's copies agree where a crash or a failed write left
   * them apart (see plan-checkpoint-repair.ts), after recording what it is about to do.
   */
  recover(): Promise<string | undefined>;
  /** Final checkpoint, then stops the timer. */
  close(): Promise<void>;
  readonly keyId: string;
  readonly checkpointsPath: string;
};

export type AuditLogOptions = {
  db: Db;
  hostKey: HostKey;
  checkpointsPath: string;
  /** A checkpoint after this many new rows… */
  checkpointEvery?: number;
  /** …or after this long, whichever comes first (only when there are new rows). */
  checkpointIntervalMs?: number;
  /** Named in the disk-full message; the folder above `audit/` unless given. */
  home?: string;
};

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { db, hostKey, checkpointsPath } = options;
  const every = options.checkpointEvery ?? 100;
  const home = options.home ?? dirname(dirname(checkpointsPath));
  /** Checkpoints in the DB whose file line could not be written yet (the disk was full). */
  let unfiled: SignedCheckpoint[] = [];
  const listeners = new Set<() => void>();
  let checkpointing: Promise<SignedCheckpoint | undefined> | undefined;
  /** Settles when every `quiet` work so far has ended; checkpoints wait for it. */
  let quieted: Promise<unknown> = Promise.resolve();
  let quietRunning = 0;
  /** Size of the last checkpoint, once read: most appends then need no query to know they are under the threshold. */
  let lastCheckpointSize: number | undefined;
  let closed = false;

  async function append(tx: DbTransaction, event: AuditEventInput): Promise<AuditEventRow> {
    const parsed = auditEventInput.safeParse(event);
    if (!parsed.success) {
      throw new AppError(
        "BAD_REQUEST",
        `Invalid audit event: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    const input = parsed.data;
    const details = canonicalJson(input.details);
    if (Buffer.byteLength(details) > maxDetailsBytes) {
      throw new AppError("BAD_REQUEST", `Audit details are over ${maxDetailsBytes} bytes`);
    }
    const head = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
    const id = (head?.id ?? 0) + 1;
    const prevHash = head?.hash ?? genesisHash;
    const time = new Date();
    const content = {
      id,
      time: time.toISOString(),
      category: input.category,
      action: input.action,
      actor: input.actor,
      agent: input.agent ?? null,
      outcome: input.outcome,
      details: JSON.parse(details) as unknown,
    };
    const hash = hashEvent(prevHash, content, details);
    await tx.auditEvent.create({
      data: { ...content, time, details, prevHash, hash },
    });
    return { ...content, prevHash, hash };
  }

  /** A full disk becomes the message that says so; anything else passes unchanged. */
  async function clearly<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isDiskFull(error) ? diskFullError(home, error) : error;
    }
  }

  async function fileUnfiled() {
    if (unfiled.length === 0) return;
    await appendLinesDurably(checkpointsPath, unfiled.map(checkpointLine));
    unfiled = [];
  }

  async function checkpoint(): Promise<SignedCheckpoint | undefined> {
    // In order: an older checkpoint's line before any newer one.
    await fileUnfiled();
    const [head, last] = await Promise.all([
      db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } }),
      db.auditCheckpoint.findFirst({ orderBy: { treeSize: "desc" }, select: { treeSize: true } }),
    ]);
    if (!head || head.id <= (last?.treeSize ?? 0)) return undefined;
    const statement = {
      treeSize: head.id,
      headHash: head.hash,
      time: new Date().toISOString(),
      keyId: hostKey.keyId,
    };
    const signature = Buffer.from(hostKey.sign(checkpointStatement(statement))).toString("base64");
    const signed: SignedCheckpoint = { ...statement, signature };
    // The DB first: a line is filed only for a row that committed. When the DB insert fails (a
    // full disk) nothing is filed, and the next tick signs again; when the file write fails, the
    // line waits in `unfiled` for the next tick (or the next start, which finds it in the DB).
    await db.auditCheckpoint.create({ data: { ...signed, time: new Date(signed.time) } });
    lastCheckpointSize = signed.treeSize;
    unfiled.push(signed);
    await fileUnfiled();
    return signed;
  }

  /** One checkpoint at a time; a caller arriving meanwhile shares the running one. */
  function checkpointOnce(): Promise<SignedCheckpoint | undefined> {
    checkpointing ??= quieted.then(checkpoint).finally(() => {
      checkpointing = undefined;
    });
    return checkpointing;
  }

  /**
   * `appendedId` (when known) settles most calls without a query. Loops because a checkpoint
   * already running when the threshold is crossed signs an older head.
   */
  async function maybeCheckpoint(appendedId?: number) {
    if (
      appendedId !== undefined &&
      lastCheckpointSize !== undefined &&
      appendedId - lastCheckpointSize < every
    )
      return;
    for (;;) {
      const [head, last] = await Promise.all([
        db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
        db.auditCheckpoint.findFirst({ orderBy: { treeSize: "desc" }, select: { treeSize: true } }),
      ]);
      lastCheckpointSize = Math.max(lastCheckpointSize ?? 0, last?.treeSize ?? 0);
      if (!head || head.id - lastCheckpointSize < every) return;
      await checkpointOnce();
    }
  }

  /** A full disk fails every tick: said once, in one line, until a checkpoint succeeds again. */
  let diskFullSaid = false;
  const checkpointFailed = (error: unknown) => {
    if (!isDiskFull(error)) return console.error("[audit] checkpoint failed:", error);
    if (!diskFullSaid) console.error(`[audit] checkpoint waits: ${diskFullError(home).message}`);
    diskFullSaid = true;
  };

  /** Wakes listeners, and signs a checkpoint first when this append crossed the threshold. */
  async function committed(appendedId?: number) {
    for (const listener of listeners) listener();
    const signing = maybeCheckpoint(appendedId).catch(checkpointFailed);
    // During a verify the checkpoint waits for it; the append that crossed the threshold does not.
    if (quietRunning === 0) await signing;
  }

  const timer = setInterval(
    () => {
      checkpointOnce()
        .then(() => {
          diskFullSaid = false;
        })
        .catch(checkpointFailed);
    },
    options.checkpointIntervalMs ?? checkpointIntervalFromEnv() ?? 10_000,
  );
  timer.unref();

  async function recover(): Promise<string | undefined> {
    const text = await readFile(checkpointsPath, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const dbCheckpoints = (await db.auditCheckpoint.findMany({ orderBy: { treeSize: "asc" } })).map(
      ({ treeSize, headHash, time, keyId, signature }) => ({
        treeSize,
        headHash,
        time: time.toISOString(),
        keyId,
        signature,
      }),
    );
    const repair = await planCheckpointRepair({
      text,
      dbCheckpoints,
      rowHash: async (size) =>
        (await db.auditEvent.findUnique({ where: { id: size }, select: { hash: true } }))?.hash,
      publicKey: hostKey.publicKey,
      keyId: hostKey.keyId,
    });
    if (!repair) return undefined;
    const said = describeRepair(repair);
    const sizes = (list: SignedCheckpoint[]) => list.slice(0, 50).map((checkpoint) => checkpoint.treeSize);
    // Noted before it is done: a repair the log cannot record does not happen.
    await clearly(() =>
      db.$transaction((tx) =>
        append(tx, {
          category: "panel",
          action: "audit_checkpoints_repaired",
          actor: "system",
          outcome: "ok",
          details: {
            note: said,
            cutTornLine: repair.cutTornLine,
            restoredToDatabase: sizes(repair.toDb),
            removedCopies: repair.dropped.length,
            removedCopiesOf: [...new Set(sizes(repair.dropped))],
            filedFromDatabase: sizes(repair.toFile),
          },
        }),
      ),
    );
    await clearly(async () => {
      if (repair.cutTornLine || repair.dropped.length > 0) {
        await rewriteDurably(checkpointsPath, [...repair.keep, ...repair.toFile.map(checkpointLine)]);
      } else await appendLinesDurably(checkpointsPath, repair.toFile.map(checkpointLine));
      for (const filed of repair.toDb) {
        await db.auditCheckpoint.create({ data: { ...filed, time: new Date(filed.time) } });
      }
    });
    for (const listener of listeners) listener();
    return said;
  }

  return {
    keyId: hostKey.keyId,
    recover,
    checkpointsPath,
    async record(event) {
      if (closed) throw new AppError("UNAVAILABLE", "The audit log is closed");
      const row = await clearly(() => db.$transaction((tx) => append(tx, event)));
      await committed(row.id);
      return row;
    },
    recordIn: (tx, event) => append(tx, event),
    committed: () => committed(),
    async transaction(work) {
      if (closed) throw new AppError("UNAVAILABLE", "The audit log is closed");
      let lastId: number | undefined;
      const result = await clearly(() =>
        db.$transaction((tx) =>
          work(tx, async (event) => {
            const row = await append(tx, event);
            lastId = row.id;
            return row;
          }),
        ),
      );
      await committed(lastId);
      return result;
    },
    checkpoint: () => clearly(checkpointOnce),
    quiet(work) {
      quietRunning++;
      const done = (async () => {
        await checkpointing?.catch(() => undefined);
        return work();
      })().finally(() => {
        quietRunning--;
      });
      quieted = Promise.all([quieted, done.catch(() => undefined)]);
      return done;
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await checkpointOnce();
    },
  };
}
