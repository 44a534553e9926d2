import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { generatePrismaClient } from "./generate-prisma-client";
import { applyMigrations } from "./migrate";

// The client is generated code (gitignored): make sure it exists before importing it.
let createDb: (dbPath: string) => Db;
beforeAll(async () => {
  generatePrismaClient();
  ({ createDb } = await import("./client"));
});

let dir: string;
let dbPath: string;
let db: Db | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claw-client-"));
  dbPath = join(dir, "claw.db");
  applyMigrations({ dbPath });
});

afterEach(async () => {
  await db?.$disconnect();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("createDb", () => {
  it("creates and reads back a Session", async () => {
    db = createDb(dbPath);
    const expiresAt = new Date("2030-01-02T03:04:05.678Z");
    const created = await db.session.create({
      data: { id: "ab".repeat(32), expiresAt, userAgent: "vitest" },
    });
    expect(created.createdAt).toBeInstanceOf(Date);

    const found = await db.session.findUnique({ where: { id: "ab".repeat(32) } });
    expect(found).toEqual({
      id: "ab".repeat(32),
      createdAt: created.createdAt,
      lastSeenAt: created.lastSeenAt,
      expiresAt,
      userAgent: "vitest",
    });
    expect(await db.session.count({ where: { expiresAt: { lt: new Date("2031-01-01T00:00:00Z") } } })).toBe(
      1,
    );
    expect(await db.session.count({ where: { expiresAt: { lt: new Date("2029-01-01T00:00:00Z") } } })).toBe(
      0,
    );
  });

  it("sees data written by another connection to the same file", async () => {
    db = createDb(dbPath);
    const other = createDb(dbPath);
    try {
      await other.session.create({ data: { id: "cd".repeat(32), expiresAt: new Date() } });
      expect(await db.session.findUnique({ where: { id: "cd".repeat(32) } })).not.toBeNull();
    } finally {
      await other.$disconnect();
    }
  });

  it("runs every connection with WAL, foreign keys on and a 5 s busy timeout", async () => {
    db = createDb(dbPath);
    const pragma = async (name: string) =>
      Object.values((await db?.$queryRawUnsafe<object[]>(`PRAGMA ${name}`))?.[0] ?? {})[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(Number(await pragma("foreign_keys"))).toBe(1);
    expect(Number(await pragma("busy_timeout"))).toBe(5000);

    // A reconnect opens a new better-sqlite3 connection: the pragmas must follow it.
    await db.$disconnect();
    expect(Number(await pragma("foreign_keys"))).toBe(1);
  });

  it("switches a file that was never migrated to WAL on connect", async () => {
    // better-sqlite3's defaults already give foreign_keys=1 and a 5 s timeout; WAL is the pragma
    // a new file would otherwise lack ("delete" journal).
    db = createDb(join(dir, "fresh.db"));
    expect(await db.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });
});
