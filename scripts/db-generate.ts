// npm run db:generate (and setup, after npm install): the Prisma client, when it is stale.
//
//   node --import tsx scripts/db-generate.ts
import { generatePrismaClient } from "../server/db/generate-prisma-client";

try {
  const { generated, ms } = generatePrismaClient();
  console.log(
    generated
      ? `db:generate: Prisma client generated in ${Math.round(ms)} ms`
      : "db:generate: Prisma client up to date",
  );
} catch (error) {
  console.error(`db:generate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
