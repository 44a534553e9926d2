import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapterFactory } from "@prisma/client/runtime/client";
import { type Prisma, PrismaClient } from "./generated/client";

export type Db = PrismaClient;

// Per connection: foreign_keys and busy_timeout reset with every new connection; WAL is stored in
// the file (applyMigrations sets it) and repeated so a fresh file gets it too.
const connectionPragmas = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

/**
 * The adapter opens its better-sqlite3 connection itself, inside connect(), and offers no hook
 * for pragmas; wrapping connect() applies them to every connection the client opens.
 */
function withPragmas(factory: PrismaBetterSqlite3): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      await adapter.executeScript(connectionPragmas);
      return adapter;
    },
  };
}

/**
 * A Prisma client on the SQLite file at `dbPath`, without any Prisma engine. Run applyMigrations
 * first; the client connects lazily on its first query.
 */
export function createDb(dbPath: string): Db {
  // The adapter takes a path or a file: URL; timeout is better-sqlite3's busy wait in ms.
  const adapter = new PrismaBetterSqlite3({ url: dbPath, timeout: 5000 });
  return new PrismaClient({ adapter: withPragmas(adapter) });
}

/** The client inside `db.$transaction(async (tx) => …)`: what services take to join a caller's transaction. */
export type DbTransaction = Prisma.TransactionClient;
