-- AlterTable
ALTER TABLE "jobs" ADD COLUMN "agent" TEXT;
ALTER TABLE "jobs" ADD COLUMN "network" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_job_sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "template" TEXT NOT NULL,
    "claude_session_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_activity_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" DATETIME,
    "agent" TEXT,
    "workspace" TEXT NOT NULL DEFAULT 'session'
);
INSERT INTO "new_job_sessions" ("claude_session_id", "closed_at", "created_at", "id", "last_activity_at", "template") SELECT "claude_session_id", "closed_at", "created_at", "id", "last_activity_at", "template" FROM "job_sessions";
DROP TABLE "job_sessions";
ALTER TABLE "new_job_sessions" RENAME TO "job_sessions";
CREATE INDEX "job_sessions_agent_last_activity_at_idx" ON "job_sessions"("agent", "last_activity_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "jobs_agent_created_at_idx" ON "jobs"("agent", "created_at");
