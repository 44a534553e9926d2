import { z } from "zod";
import { keyIdOf, verifySignature } from "../keys/host-key";
import {
  type AuditEventRow,
  checkpointStatement,
  genesisHash,
  hashEvent,
  type SignedCheckpoint,
} from "./audit-chain";

export type AuditProblemKind =
  | "edited_row"
  | "missing_row"
  | "broken_link"
  | "rewritten_chain"
  | "truncated_tail"
  | "bad_checkpoint"
  | "checkpoint_mismatch";

export type AuditProblem = {
  kind: AuditProblemKind;
  message: string;
  row?: number;
  line?: number;
  treeSize?: number;
};

export type AuditVerifyReport = {
  ok: boolean;
  rows: number;
  /** Validly signed checkpoints, from the file and the database together. */
  checkpoints: number;
  lastCheckpointSize: number;
  /** Rows after the last checkpoint: protected by the chain alone until the next one. */
  uncoveredRows: number;
  keyId: string;
  problems: AuditProblem[];
};

/** A row as read back from storage: details may be unreadable if someone edited it. */
export type StoredAuditRow = Omit<AuditEventRow, "details" | "time"> & {
  time: string | number;
  details: string;
};

const maxProblems = 50;

const signedCheckpointSchema = z.object({
  treeSize: z.number().int().positive(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.string(),
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().min(1),
});

export function parseCheckpointLine(text: string): SignedCheckpoint | undefined {
  try {
    const parsed = signedCheckpointSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(checkpoint: SignedCheckpoint, publicKey: Uint8Array): boolean {
  return verifySignature(
    publicKey,
    checkpointStatement(checkpoint),
    new Uint8Array(Buffer.from(checkpoint.signature, "base64")),
  );
}

function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (
    a.headHash === b.headHash && a.signature === b.signature && Date.parse(a.time) === Date.parse(b.time)
  );
}

/** Re-hashes a stored row from its stored bytes; undefined when its fields cannot be read back. */
function recomputeHash(row: StoredAuditRow): string | undefined {
  try {
    const time = new Date(row.time).toISOString();
    const { prevHash, hash: _stored, details, ...rest } = row;
    return hashEvent(prevHash, { ...rest, time, details: undefined }, details);
  } catch {
    return undefined;
  }
}

/**
 * Recomputes the chain and checks every checkpoint. Rows must come in id order. Reports the first
 * problems found (at most 50), each naming the row, checkpoint or file line.
 */
export function verifyAuditChain(input: {
  rows: Iterable<StoredAuditRow>;
  dbCheckpoints: SignedCheckpoint[];
  fileLines: string[];
  publicKey: Uint8Array;
}): AuditVerifyReport {
  const keyId = keyIdOf(input.publicKey);
  const problems: AuditProblem[] = [];
  const report = (problem: AuditProblem) => {
    if (problems.length < maxProblems) problems.push(problem);
  };

  // 1. The checkpoint file: every line parses, is ours, is signed, and sizes only grow.
  const fromFile = new Map<number, SignedCheckpoint>();
  let lastFileSize = 0;
  for (const [index, text] of input.fileLines.entries()) {
    const line = index + 1;
    if (text.trim() === "") continue;
    const checkpoint = parseCheckpointLine(text);
    if (!checkpoint) {
      report({ kind: "bad_checkpoint", line, message: `checkpoints.log line ${line} is not a checkpoint` });
      continue;
    }
    if (checkpoint.keyId !== keyId || !signatureValid(checkpoint, input.publicKey)) {
      report({
        kind: "bad_checkpoint",
        line,
        treeSize: checkpoint.treeSize,
        message: `checkpoints.log line ${line} (size ${checkpoint.treeSize}) has no valid signature by this host's key: it was edited or forged`,
      });
      continue;
    }
    if (checkpoint.treeSize <= lastFileSize) {
      report({
        kind: "bad_checkpoint",
        line,
        message: `checkpoints.log line ${line} is out of order (size ${checkpoint.treeSize} after ${lastFileSize})`,
      });
      continue;
    }
    lastFileSize = checkpoint.treeSize;
    fromFile.set(checkpoint.treeSize, checkpoint);
  }

  // 2. The database's copies must be validly signed and agree with the file, both ways.
  const anchors = new Map(fromFile);
  for (const checkpoint of input.dbCheckpoints) {
    const filed = fromFile.get(checkpoint.treeSize);
    // Byte for byte the file's line, whose signature was just checked: nothing more to check.
    if (filed && sameCheckpoint(filed, checkpoint) && filed.keyId === checkpoint.keyId) continue;
    if (checkpoint.keyId !== keyId || !signatureValid(checkpoint, input.publicKey)) {
      report({
        kind: "bad_checkpoint",
        treeSize: checkpoint.treeSize,
        message: `the database's checkpoint at size ${checkpoint.treeSize} has no valid signature`,
      });
      continue;
    }
    if (!filed) {
      report({
        kind: "checkpoint_mismatch",
        treeSize: checkpoint.treeSize,
        message: `the checkpoint at size ${checkpoint.treeSize} is in the database but missing from checkpoints.log`,
      });
      anchors.set(checkpoint.treeSize, checkpoint);
    } else if (!sameCheckpoint(filed, checkpoint)) {
      report({
        kind: "checkpoint_mismatch",
        treeSize: checkpoint.treeSize,
        message: `the checkpoint at size ${checkpoint.treeSize} differs between the database and checkpoints.log`,
      });
    }
  }
  const inDb = new Set(input.dbCheckpoints.map((checkpoint) => checkpoint.treeSize));
  for (const size of fromFile.keys()) {
    if (!inDb.has(size)) {
      report({
        kind: "checkpoint_mismatch",
        treeSize: size,
        message: `the checkpoint at size ${size} is in checkpoints.log but missing from the database`,
      });
    }
  }
  const sortedAnchors = [...anchors.values()].sort((a, b) => a.treeSize - b.treeSize);

  // 3. The chain, row by row, checked against each signed head on the way.
  let expectedId = 1;
  let previousHash = genesisHash;
  let anchorIndex = 0;
  let lastGoodAnchor = 0;
  let lastRowProblem = 0;
  let rows = 0;
  for (const row of input.rows) {
    rows += 1;
    if (row.id !== expectedId) {
      report({
        kind: "missing_row",
        row: expectedId,
        message:
          row.id > expectedId
            ? `row ${expectedId}${row.id - expectedId > 1 ? `–${row.id - 1}` : ""} is missing (deleted): the next row is ${row.id}`
            : `row ${row.id} appears out of order after row ${expectedId - 1}`,
      });
    } else if (row.prevHash !== previousHash) {
      report({
        kind: "broken_link",
        row: row.id,
        message: `row ${row.id} does not follow row ${row.id - 1}: rows were reordered, inserted or replaced`,
      });
    }
    if (recomputeHash(row) !== row.hash) {
      report({
        kind: "edited_row",
        row: row.id,
        message: `row ${row.id} was edited: its content no longer matches its hash`,
      });
    }
    while (anchorIndex < sortedAnchors.length && (sortedAnchors[anchorIndex]?.treeSize ?? 0) < row.id)
      anchorIndex += 1;
    const anchor = sortedAnchors[anchorIndex];
    if (problems.length > 0) lastRowProblem = Math.max(lastRowProblem, problems.at(-1)?.row ?? 0);
    if (anchor && anchor.treeSize === row.id) {
      if (anchor.headHash === row.hash) lastGoodAnchor = row.id;
      else {
        // A bad row already found in this stretch explains the mismatch and leads the report.
        const explained = lastRowProblem > lastGoodAnchor;
        report({
          kind: "rewritten_chain",
          row: explained ? anchor.treeSize : lastGoodAnchor + 1,
          treeSize: anchor.treeSize,
          message: `rows ${lastGoodAnchor + 1}–${anchor.treeSize} were rewritten: row ${anchor.treeSize}'s hash differs from the signed checkpoint at that size`,
        });
      }
    }
    previousHash = row.hash;
    expectedId = Math.max(expectedId, row.id) + 1;
  }

  // 4. A signed checkpoint beyond the last row means the tail was cut off.
  const lastId = expectedId - 1;
  const last = sortedAnchors.at(-1);
  if (last && last.treeSize > lastId) {
    report({
      kind: "truncated_tail",
      row: lastId + 1,
      treeSize: last.treeSize,
      message: `the log ends at row ${lastId}, but a checkpoint signed at ${last.time} covers ${last.treeSize} rows: rows ${lastId + 1}–${last.treeSize} were removed`,
    });
  }

  const lastCheckpointSize = last?.treeSize ?? 0;
  // The first bad row leads; problems with no row (checkpoint files) follow in the order found.
  problems.sort((a, b) => (a.row ?? Number.POSITIVE_INFINITY) - (b.row ?? Number.POSITIVE_INFINITY));
  return {
    ok: problems.length === 0,
    rows,
    checkpoints: sortedAnchors.length,
    lastCheckpointSize,
    uncoveredRows: Math.max(0, lastId - lastCheckpointSize),
    keyId,
    problems,
  };
}
