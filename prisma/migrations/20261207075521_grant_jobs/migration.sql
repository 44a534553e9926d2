-- AlterTable
ALTER TABLE "pairings" ADD COLUMN "jobs" BOOLEAN;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_access_grants" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "subject_name" TEXT,
    "agent" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "pairing_id" TEXT,
    "job_session_id" TEXT,
    "jobs" BOOLEAN NOT NULL DEFAULT false,
    "jobs_per_hour" INTEGER NOT NULL DEFAULT 10
);
INSERT INTO "new_access_grants" ("agent", "channel", "created_at", "created_by", "id", "job_session_id", "pairing_id", "role", "subject_id", "subject_name") SELECT "agent", "channel", "created_at", "created_by", "id", "job_session_id", "pairing_id", "role", "subject_id", "subject_name" FROM "access_grants";
DROP TABLE "access_grants";
ALTER TABLE "new_access_grants" RENAME TO "access_grants";
CREATE INDEX "access_grants_agent_idx" ON "access_grants"("agent");
CREATE UNIQUE INDEX "access_grants_channel_subject_id_agent_key" ON "access_grants"("channel", "subject_id", "agent");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Grants made before the jobs right: admins keep running jobs from the chat, others lose it until granted.
UPDATE "access_grants" SET "jobs" = true WHERE "role" = 'admin';
