import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hashImageInputs,
  type ImageInputs,
  type InputFile,
  inputsTag,
  readContextFiles,
} from "./image-inputs";

const text = (value: string) => Buffer.from(value, "utf8");

const inputs = (): ImageInputs => ({
  files: [
    { path: "Containerfile", content: text("FROM base\n"), executable: false },
    { path: "claw-agent-init", content: text("#!/bin/sh\nexec openclaw gateway run\n"), executable: true },
  ],
  pins: { openclaw: "2026.9.6", node: "24.21.0", debianSuite: "bookworm" },
});

describe("hashImageInputs", () => {
  it("is a sha256 hex and stable for the same inputs", () => {
    const hash = hashImageInputs(inputs());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashImageInputs(inputs())).toBe(hash);
    expect(inputsTag(hash)).toBe(hash.slice(0, 16));
  });

  it("does not depend on the order of files or pins", () => {
    const reordered = inputs();
    reordered.files.reverse();
    reordered.pins = { debianSuite: "bookworm", node: "24.21.0", openclaw: "2026.9.6" };
    expect(hashImageInputs(reordered)).toBe(hashImageInputs(inputs()));
  });

  const withFile = (i: ImageInputs, path: string, change: Partial<InputFile>) => {
    i.files = i.files.map((file) => (file.path === path ? { ...file, ...change } : file));
  };
  const changes: Array<[string, (i: ImageInputs) => void]> = [
    ["Containerfile content", (i) => withFile(i, "Containerfile", { content: text("FROM base \n") })],
    ["a file's path", (i) => withFile(i, "claw-agent-init", { path: "claw-agent-init2" })],
    ["the executable bit", (i) => withFile(i, "claw-agent-init", { executable: false })],
    [
      "an added file",
      (i) => {
        i.files.push({ path: "extra", content: text(""), executable: false });
      },
    ],
    [
      "a removed file",
      (i) => {
        i.files.pop();
      },
    ],
    ["the openclaw pin", (i) => Object.assign(i.pins, { openclaw: "2026.9.7" })],
    ["the node pin", (i) => Object.assign(i.pins, { node: "24.21.1" })],
    ["the debian suite", (i) => Object.assign(i.pins, { debianSuite: "trixie" })],
    ["an added pin", (i) => Object.assign(i.pins, { "deb:tini": "0.19.0-1+b3" })],
    [
      "a removed pin",
      (i) => {
        delete i.pins.node;
      },
    ],
  ];
  it.each(changes)("changes when %s changes", (_name, change) => {
    const changed = inputs();
    change(changed);
    expect(hashImageInputs(changed)).not.toBe(hashImageInputs(inputs()));
  });

  it("keeps field boundaries: moving bytes between path and content gives another hash", () => {
    const a = hashImageInputs({ files: [{ path: "ab", content: text("c"), executable: false }], pins: {} });
    const b = hashImageInputs({ files: [{ path: "a", content: text("bc"), executable: false }], pins: {} });
    const c = hashImageInputs({ files: [], pins: { "a:b": "c" } });
    const d = hashImageInputs({ files: [], pins: { a: "b:c" } });
    expect(a).not.toBe(b);
    expect(c).not.toBe(d);
  });

  it("rejects two files with the same path", () => {
    const twice = inputs();
    twice.files.push({ path: "Containerfile", content: text("other"), executable: false });
    expect(() => hashImageInputs(twice)).toThrow(/Duplicate/);
  });
});

describe("readContextFiles", () => {
  it("reads nested files with relative paths and the executable bit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claw-inputs-"));
    try {
      await writeFile(join(dir, "Containerfile"), "FROM x\n");
      await writeFile(join(dir, "init"), "#!/bin/sh\n", { mode: 0o755 });
      await mkdir(join(dir, "sub"));
      await writeFile(join(dir, "sub", "file"), "y");
      const files = await readContextFiles(dir);
      const byPath = Object.fromEntries(files.map((file) => [file.path, file]));
      expect(Object.keys(byPath).sort()).toEqual(["Containerfile", "init", "sub/file"]);
      expect(byPath.init?.executable).toBe(true);
      expect(byPath.Containerfile?.executable).toBe(false);
      expect(Buffer.from(byPath["sub/file"]?.content ?? []).toString()).toBe("y");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
