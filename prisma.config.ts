import { defineConfig } from "prisma/config";

// Read by the Prisma CLI only. The app never uses this URL: it opens $CLAW_HOME/claw.db through
// the better-sqlite3 adapter (server/db/client.ts), so the CLI gets a throwaway file under .cache.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: "file:./.cache/prisma-cli.db" },
});
