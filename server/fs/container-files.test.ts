import { execFile } from "node:child_process";
import {
  chown,
  link,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  stat,
  symlink,
  truncate,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ContainerFileRefused,
  readContainerFile,
  removeContainerFile,
  replaceContainerFile,
  uidRangesOf,
} from "./container-files";

const exec = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** A host directory standing for a container's mount (`tree`), with a host file outside it. */
let root: string;
let tree: string;
let hostFile: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "claw-cfiles-"));
  tree = join(root, "claude");
  hostFile = join(root, "host-secret.json");
  await mkdir(tree);
  await writeFile(hostFile, '{"host":"secret"}');
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "read",
    (error: unknown) => (error instanceof ContainerFileRefused ? error.reason : `other: ${String(error)}`),
  );

describe("readContainerFile", () => {
  it("reads a small regular file and says undefined when there is none", async () => {
    await writeFile(join(tree, "a.json"), "{}");
    expect((await readContainerFile(join(tree, "a.json"), { maxBytes: 10 }))?.toString()).toBe("{}");
    expect(await readContainerFile(join(tree, "missing"), { maxBytes: 10 })).toBeUndefined();
  });

  it("refuses a symlink to a host file, a FIFO, a directory and a 1 GiB file", async () => {
    await symlink(hostFile, join(tree, "link"));
    expect(await refusal(readContainerFile(join(tree, "link"), { maxBytes: 65536 }))).toBe("symlink");
    // Without O_NONBLOCK this open would wait for a writer forever.
    await exec("mkfifo", [join(tree, "fifo")]);
    expect(await refusal(readContainerFile(join(tree, "fifo"), { maxBytes: 65536 }))).toBe("not_regular");
    await mkdir(join(tree, "dir"));
    expect(await refusal(readContainerFile(join(tree, "dir"), { maxBytes: 65536 }))).toBe("not_regular");
    await writeFile(join(tree, "big"), "");
    await truncate(join(tree, "big"), 1024 ** 3);
    expect(await refusal(readContainerFile(join(tree, "big"), { maxBytes: 65536 }))).toBe("too_big");
    await writeFile(join(tree, "edge"), "x".repeat(11));
    expect(await refusal(readContainerFile(join(tree, "edge"), { maxBytes: 10 }))).toBe("too_big");
  });

  it.runIf(isRoot)(
    "refuses a file of another account (a hard link to it), accepts the container's range",
    async () => {
      await link(hostFile, join(tree, "hard"));
      await chown(hostFile, 4242, 4242);
      expect(await refusal(readContainerFile(join(tree, "hard"), { maxBytes: 100 }))).toBe("owner");
      const owners = uidRangesOf(["0:4000:1000"]);
      expect(owners).toEqual([{ first: 4000, count: 1000 }]);
      expect((await readContainerFile(join(tree, "hard"), { maxBytes: 100, owners }))?.toString()).toContain(
        "secret",
      );
    },
  );
});

describe("replaceContainerFile", () => {
  const staging = () => join(root, "staging");

  it("replaces a symlink, a FIFO and a directory at the destination without touching what they name", async () => {
    await symlink(hostFile, join(tree, "creds"));
    await replaceContainerFile(tree, "creds", "new", { stagingDir: staging(), mode: 0o600 });
    expect(await readFile(hostFile, "utf8")).toBe('{"host":"secret"}');
    expect(await readFile(join(tree, "creds"), "utf8")).toBe("new");
    expect((await stat(join(tree, "creds"))).mode & 0o777).toBe(0o600);

    await exec("mkfifo", [join(tree, "fifo")]);
    await replaceContainerFile(tree, "fifo", "f", { stagingDir: staging(), mode: 0o600 });
    expect(await readFile(join(tree, "fifo"), "utf8")).toBe("f");

    await mkdir(join(tree, "d", "sub"), { recursive: true });
    await symlink(root, join(tree, "d", "sub", "up"));
    await replaceContainerFile(tree, "d", "d", { stagingDir: staging(), mode: 0o600 });
    expect(await readFile(join(tree, "d"), "utf8")).toBe("d");
    expect(await readFile(hostFile, "utf8")).toBe('{"host":"secret"}');
  });

  it("refuses a directory that is a symlink", async () => {
    await symlink(root, join(root, "swapped"));
    await expect(
      replaceContainerFile(join(root, "swapped"), "x", "x", { stagingDir: staging(), mode: 0o600 }),
    ).rejects.toThrow(/not a directory/);
  });
});

describe("removeContainerFile and rm -r", () => {
  it("removes a symlink and a tree holding links without following them", async () => {
    await symlink(hostFile, join(tree, "link"));
    await removeContainerFile(tree, "link");
    expect(await readFile(hostFile, "utf8")).toBe('{"host":"secret"}');

    // What session cleanup does to a whole tree: a link to a directory outside is unlinked, not entered.
    await mkdir(join(tree, "deep"));
    await symlink(root, join(tree, "deep", "to-root"));
    await removeContainerFile(root, "claude");
    expect(await readFile(hostFile, "utf8")).toBe('{"host":"secret"}');
    await expect(readlink(join(tree, "deep", "to-root"))).rejects.toThrow(/ENOENT/);
  });
});
