-- CreateTable
CREATE TABLE "pairings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "token_hash" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "created_by" TEXT NOT NULL,
    "subject_id" TEXT,
    "subject_name" TEXT,
    "code" TEXT,
    "claimed_at" DATETIME,
    "resolved_at" DATETIME,
    "resolved_by" TEXT
);

-- CreateTable
CREATE TABLE "access_grants" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "subject_name" TEXT,
    "agent" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "pairing_id" TEXT,
    "job_session_id" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "pairings_token_hash_key" ON "pairings"("token_hash");

-- CreateIndex
CREATE INDEX "pairings_agent_status_idx" ON "pairings"("agent", "status");

-- CreateIndex
CREATE INDEX "pairings_status_expires_at_idx" ON "pairings"("status", "expires_at");

-- CreateIndex
CREATE INDEX "access_grants_agent_idx" ON "access_grants"("agent");

-- CreateIndex
CREATE UNIQUE INDEX "access_grants_channel_subject_id_agent_key" ON "access_grants"("channel", "subject_id", "agent");
