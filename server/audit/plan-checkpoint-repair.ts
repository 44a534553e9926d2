import { verifySignature } from "../keys/host-key";
import { checkpointStatement, type SignedCheckpoint } from "./audit-chain";
import { canonicalJson } from "./canonical-json";
import { parseCheckpointLine } from "./verify-audit-chain";

/** What the start does to make checkpoints.log and the database's copies agree again. */
export type CheckpointRepair = {
  /** The file ended in half a line (a crash mid-write): it is cut off. */
  cutTornLine: boolean;
  /**
   * Lines the database lacks (their insert failed, or a crash came between): copied into it.
   * Only ones signed by this host over the row the chain really has at that size.
   */
  toDb: SignedCheckpoint[];
  /** Re-signed copies of a head already anchored (a full disk once re-signed it every tick): removed. */
  dropped: SignedCheckpoint[];
  /** The database's checkpoints past the file's last line (the file write failed): appended. */
  toFile: SignedCheckpoint[];
  /** The file's lines once repaired, before `toFile`. */
  keep: string[];
};

/** A checkpoint as checkpoints.log holds it: its five fields, canonical JSON, one line. */
export const checkpointLine = ({ treeSize, headHash, time, keyId, signature }: SignedCheckpoint) =>
  canonicalJson({ treeSize, headHash, time, keyId, signature });

const identical = (a: SignedCheckpoint, b: SignedCheckpoint) =>
  a.headHash === b.headHash &&
  a.signature === b.signature &&
  a.keyId === b.keyId &&
  Date.parse(a.time) === Date.parse(b.time);

/**
 * Pure but for `rowHash` (the hash of row `size`, or undefined): plans the repair. Anything that
 * is not explained by a failed write or a crash (a forged line, a line deleted from the middle, a
 * head the rows no longer have) is left exactly as it is, for verify to name.
 */
export async function planCheckpointRepair(input: {
  text: string;
  dbCheckpoints: SignedCheckpoint[];
  rowHash: (size: number) => Promise<string | undefined>;
  publicKey: Uint8Array;
  keyId: string;
}): Promise<CheckpointRepair | undefined> {
  const cutTornLine = input.text !== "" && !input.text.endsWith("\n");
  const whole = cutTornLine ? input.text.slice(0, input.text.lastIndexOf("\n") + 1) : input.text;
  const lines = whole === "" ? [] : whole.slice(0, -1).split("\n");
  const inDb = new Map(input.dbCheckpoints.map((checkpoint) => [checkpoint.treeSize, checkpoint]));
  const ours = (checkpoint: SignedCheckpoint) =>
    checkpoint.keyId === input.keyId &&
    verifySignature(
      input.publicKey,
      checkpointStatement(checkpoint),
      new Uint8Array(Buffer.from(checkpoint.signature, "base64")),
    );
  const overRealRow = async (checkpoint: SignedCheckpoint) =>
    ours(checkpoint) && (await input.rowHash(checkpoint.treeSize)) === checkpoint.headHash;

  const keep: string[] = [];
  const toDb: SignedCheckpoint[] = [];
  const dropped: SignedCheckpoint[] = [];
  let lastSize = 0;
  for (const line of lines) {
    const filed = parseCheckpointLine(line);
    const stored = filed && inDb.get(filed.treeSize);
    if (!filed || (stored && identical(stored, filed))) {
      keep.push(line);
      if (filed) lastSize = Math.max(lastSize, filed.treeSize);
      continue;
    }
    if (!(await overRealRow(filed))) {
      keep.push(line);
      continue;
    }
    // Signed by us over the head the rows have: either the first line for its size (kept, and
    // given to the database) or another signature over a head already anchored (dropped).
    if (!stored && filed.treeSize > lastSize) {
      keep.push(line);
      toDb.push(filed);
      lastSize = filed.treeSize;
    } else dropped.push(filed);
  }
  const toFile = input.dbCheckpoints
    .filter((checkpoint) => checkpoint.treeSize > lastSize && ours(checkpoint))
    .sort((a, b) => a.treeSize - b.treeSize);
  if (!cutTornLine && toDb.length === 0 && dropped.length === 0 && toFile.length === 0) return undefined;
  return { cutTornLine, toDb, dropped, toFile, keep };
}

/** One sentence for the start's log and the audit note. */
export function describeRepair(repair: CheckpointRepair): string {
  const sizes = (list: SignedCheckpoint[]) =>
    [...new Set(list.map((checkpoint) => checkpoint.treeSize))].slice(0, 20).join(", ");
  const parts: string[] = [];
  if (repair.cutTornLine) parts.push("cut off a checkpoint line a crash left half written");
  if (repair.toDb.length > 0)
    parts.push(
      `restored checkpoint${repair.toDb.length > 1 ? "s" : ""} ${sizes(repair.toDb)} to the database`,
    );
  if (repair.dropped.length > 0)
    parts.push(
      `removed ${repair.dropped.length} re-signed cop${repair.dropped.length > 1 ? "ies" : "y"} of checkpoint ${sizes(repair.dropped)} whose database row never committed`,
    );
  if (repair.toFile.length > 0)
    parts.push(
      `wrote checkpoint${repair.toFile.length > 1 ? "s" : ""} ${sizes(repair.toFile)} to checkpoints.log, which lacked ${repair.toFile.length > 1 ? "them" : "it"}`,
    );
  return parts.join("; ");
}
