import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../errors";

// The one way the panel reads, writes or removes a file inside a tree a container can write (a job's
// /claude and workspace, an agent's workspace and state). Everything there may be a symlink to a host
// file, a FIFO, a hard link, a directory, or a file that grows while it is read; see DESIGN.md,
// "The trust boundary with containers".

/** A host uid range (first, count) whose files the panel accepts: its own, and the container's. */
export type UidRange = { first: number; count: number };

export type ContainerFileRefusal = "symlink" | "not_regular" | "owner" | "too_big";

/** Why a file in a container-writable tree was not read; `reason` is for the audit log. */
export class ContainerFileRefused extends AppError {
  readonly reason: ContainerFileRefusal;
  readonly path: string;

  constructor(path: string, reason: ContainerFileRefusal, detail: string) {
    super("PRECONDITION_FAILED", `Refused to read ${path}: ${detail}`, {
      fix: "A container put it there; the panel never follows it. Remove the file (or the session) if it is not needed.",
    });
    this.name = "ContainerFileRefused";
    this.reason = reason;
    this.path = path;
  }
}

export const panelUid = () => process.getuid?.() ?? 0;

/**
 * Pure: the host uid ranges of a Podman id map (`inspect.HostConfig.IDMappings.UidMap`, entries
 * `container:host:size`). Rootless maps name ids of Podman's own namespace, not the host's: pass none
 * (keep-id maps the container's user to the panel's uid, which is always accepted).
 */
export function uidRangesOf(uidMap: readonly string[] | undefined): UidRange[] {
  return (uidMap ?? []).flatMap((entry) => {
    const match = /^\d+:(\d+):(\d+)$/.exec(entry);
    return match ? [{ first: Number(match[1]), count: Number(match[2]) }] : [];
  });
}

/**
 * Reads a regular file of at most `maxBytes`, or undefined when there is none. Opened with
 * O_NOFOLLOW (a symlink is refused, never followed) and O_NONBLOCK (a FIFO cannot stall the open);
 * type, owner and size come from fstat on the descriptor (what was opened, not what the path names
 * a moment later), and at most `maxBytes + 1` bytes are read, so a file growing meanwhile is still
 * capped. Owners: the panel's uid and `owners` (e.g. the container's mapped range; a hard link to
 * another account's file is refused). Throws ContainerFileRefused otherwise. O_NOFOLLOW guards only
 * the last component: the file's directory must be one the container cannot replace (a mount point).
 * The whole cap is allocated up front: meant for small files (credentials, settings).
 */
export async function readContainerFile(
  path: string,
  options: { maxBytes: number; owners?: readonly UidRange[] },
): Promise<Buffer | undefined> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new ContainerFileRefused(path, "symlink", "it is a symbolic link");
    if (code === "ENXIO") throw new ContainerFileRefused(path, "not_regular", "it is a socket or a FIFO");
    throw error;
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile())
      throw new ContainerFileRefused(
        path,
        "not_regular",
        `it is not a regular file (mode ${stat.mode.toString(8)})`,
      );
    const owners = [{ first: panelUid(), count: 1 }, ...(options.owners ?? [])];
    if (!owners.some((range) => stat.uid >= range.first && stat.uid < range.first + range.count))
      throw new ContainerFileRefused(
        path,
        "owner",
        `it belongs to uid ${stat.uid}, neither the panel's nor the container's (${owners.map((range) => `${range.first}+${range.count}`).join(", ")})`,
      );
    if (stat.size > options.maxBytes)
      throw new ContainerFileRefused(
        path,
        "too_big",
        `it has ${stat.size} bytes, more than ${options.maxBytes}`,
      );
    const buffer = Buffer.alloc(options.maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes)
      throw new ContainerFileRefused(path, "too_big", `it grew past ${options.maxBytes} bytes while read`);
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

/**
 * Checks that `dir` is a real directory (not a symlink): the directory a file is replaced or removed
 * in must be one the container cannot swap, i.e. a mount point whose parent only the panel writes.
 */
async function realDirectory(dir: string) {
  const stat = await lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new AppError("PRECONDITION_FAILED", `${dir} is not a directory (a symlink or missing)`, {
      fix: "Remove it; the panel creates it again.",
    });
}

/**
 * Puts `data` at `dir/name` without ever writing through what is there: a new file in `stagingDir`
 * (panel-owned, not mounted into any container, same filesystem as `dir`), fsynced, then renamed
 * over `dir/name`. rename replaces a symlink, FIFO or file at the destination instead of following
 * it; a directory planted there is removed first (rm never follows links).
 */
export async function replaceContainerFile(
  dir: string,
  name: string,
  data: string | Uint8Array,
  options: { stagingDir: string; mode: number },
): Promise<void> {
  if (name.includes("/") || name === "." || name === "..") throw new Error(`not a file name: ${name}`);
  await realDirectory(dir);
  await mkdir(options.stagingDir, { recursive: true, mode: 0o700 });
  const staged = join(options.stagingDir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(staged, "wx", options.mode);
  try {
    await file.writeFile(data);
    await file.chmod(options.mode);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(staged, { force: true });
    throw error;
  }
  await file.close();
  const target = join(dir, name);
  try {
    await rename(staged, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EISDIR" && error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      await rm(target, { recursive: true, force: true });
      await rename(staged, target);
    });
  } catch (error) {
    await rm(staged, { force: true });
    throw error;
  }
  const folder = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** Removes `dir/name` whatever it is (file, symlink, FIFO, directory tree), never following a link. */
export async function removeContainerFile(dir: string, name: string): Promise<void> {
  if (name.includes("/") || name === "." || name === "..") throw new Error(`not a file name: ${name}`);
  await realDirectory(dir);
  // rm with `recursive` lstat()s each entry and unlinks symlinks rather than descending into them.
  await rm(join(dir, name), { recursive: true, force: true });
}
