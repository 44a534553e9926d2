import { appendFile, mkdir, open, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { Db, DbTransaction } from "../db/client";
import { AppError } from "../errors";
import { type HostKey, verifySignature } from "../keys/host-key";
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
import { parseCheckpointLine } from "./verify-audit-chain";

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
  /** Called after each append that has committed (the live tail wakes on it). */
  onAppend(listener: () => void): () => void;
  /**
   * At start: finishes a checkpoint a crash interrupted. A torn last line of the file is cut off;
   * a signed last line the DB lacks (the crash fell between file and DB) is copied into the DB.
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
};

/** Appends a line and makes it durable before the DB copy is written. */
async function appendDurably(path: string, line: string) {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, line, { mode: 0o600 });
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { db, hostKey, checkpointsPath } = options;
  const every = options.checkpointEvery ?? 100;
  const listeners = new Set<() => void>();
  let checkpointing: Promise<SignedCheckpoint | undefined> | undefined;
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

  async function checkpoint(): Promise<SignedCheckpoint | undefined> {
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
    // File first: a checkpoint the DB has but the file lacks would look like a deleted file line.
    await appendDurably(checkpointsPath, `${canonicalJson(signed)}\n`);
    await db.auditCheckpoint.create({ data: { ...signed, time: new Date(signed.time) } });
    lastCheckpointSize = signed.treeSize;
    return signed;
  }

  /** One checkpoint at a time; a caller arriving meanwhile shares the running one. */
  function checkpointOnce(): Promise<SignedCheckpoint | undefined> {
    checkpointing ??= checkpoint().finally(() => {
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

  /** Wakes listeners, and signs a checkpoint first when this append crossed the threshold. */
  async function committed(appendedId?: number) {
    for (const listener of listeners) listener();
    await maybeCheckpoint(appendedId).catch((error: unknown) =>
      console.error("[audit] checkpoint failed:", error),
    );
  }

  const timer = setInterval(() => {
    checkpointOnce().catch((error: unknown) => console.error("[audit] checkpoint failed:", error));
  }, options.checkpointIntervalMs ?? 10_000);
  timer.unref();

  async function recover(): Promise<string | undefined> {
    const text = await readFile(checkpointsPath, "utf8").catch(() => "");
    if (text === "") return undefined;
    if (!text.endsWith("\n")) {
      const keep = text.slice(0, text.lastIndexOf("\n") + 1);
      await truncate(checkpointsPath, Buffer.byteLength(keep));
      return "cut off a checkpoint line a crash left half written";
    }
    const lastLine = text.trimEnd().split("\n").at(-1) ?? "";
    const filed = parseCheckpointLine(lastLine);
    if (!filed || filed.keyId !== hostKey.keyId) return undefined;
    const inDb = await db.auditCheckpoint.findUnique({ where: { treeSize: filed.treeSize } });
    const row = await db.auditEvent.findUnique({ where: { id: filed.treeSize }, select: { hash: true } });
    const signed = verifySignature(
      hostKey.publicKey,
      checkpointStatement(filed),
      Buffer.from(filed.signature, "base64"),
    );
    if (inDb || !signed || row?.hash !== filed.headHash) return undefined; // verify will say what is wrong
    await db.auditCheckpoint.create({ data: { ...filed, time: new Date(filed.time) } });
    return `restored checkpoint ${filed.treeSize} to the database`;
  }

  return {
    keyId: hostKey.keyId,
    recover,
    checkpointsPath,
    async record(event) {
      if (closed) throw new AppError("UNAVAILABLE", "The audit log is closed");
      const row = await db.$transaction((tx) => append(tx, event));
      await committed(row.id);
      return row;
    },
    recordIn: (tx, event) => append(tx, event),
    committed: () => committed(),
    async transaction(work) {
      if (closed) throw new AppError("UNAVAILABLE", "The audit log is closed");
      let lastId: number | undefined;
      const result = await db.$transaction((tx) =>
        work(tx, async (event) => {
          const row = await append(tx, event);
          lastId = row.id;
          return row;
        }),
      );
      await committed(lastId);
      return result;
    },
    checkpoint: checkpointOnce,
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
