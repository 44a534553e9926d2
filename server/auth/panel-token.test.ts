import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePanelToken, loginUrl, tokensEqual } from "./panel-token";

describe("ensurePanelToken", () => {
  it("creates a 0600 token once and returns the same one afterwards", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "claw-token-")), "panel-token");
    const first = await ensurePanelToken(path);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await ensurePanelToken(path)).toBe(first);
    expect((await readFile(path, "utf8")).trim()).toBe(first);
  });

  it("tightens a token file that others could read", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "claw-token-")), "panel-token");
    const token = "a".repeat(43);
    await writeFile(path, token, { mode: 0o644 });
    expect(await ensurePanelToken(path)).toBe(token);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("replaces a malformed token", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "claw-token-")), "panel-token");
    await writeFile(path, "short", { mode: 0o600 });
    expect(await ensurePanelToken(path)).not.toBe("short");
  });
});

describe("tokensEqual", () => {
  it("compares exactly", () => {
    expect(tokensEqual("abc", "abc")).toBe(true);
    expect(tokensEqual("abd", "abc")).toBe(false);
    expect(tokensEqual("", "abc")).toBe(false);
  });
});

describe("loginUrl", () => {
  it("keeps the token in the fragment, which browsers never send", () => {
    expect(loginUrl(7878, "t0k")).toBe("http://127.0.0.1:7878/login#token=t0k");
  });
});
