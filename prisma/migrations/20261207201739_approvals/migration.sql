-- CreateTable
CREATE TABLE "approvals" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'egress',
    "agent" TEXT,
    "job" TEXT,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT,
    "activity" TEXT,
    "asked" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decision" TEXT,
    "decided_by" TEXT,
    "channel" TEXT,
    "reason" TEXT,
    "grant_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "decided_at" DATETIME
);

-- CreateTable
CREATE TABLE "egress_grants" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agent" TEXT,
    "job" TEXT,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "expires_at" DATETIME,
    "uses_left" INTEGER,
    "used" INTEGER NOT NULL DEFAULT 0,
    "approval_id" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" DATETIME,
    "end_reason" TEXT
);

-- CreateIndex
CREATE INDEX "approvals_status_created_at_idx" ON "approvals"("status", "created_at");

-- CreateIndex
CREATE INDEX "approvals_agent_created_at_idx" ON "approvals"("agent", "created_at");

-- CreateIndex
CREATE INDEX "approvals_created_at_idx" ON "approvals"("created_at");

-- CreateIndex
CREATE INDEX "egress_grants_ended_at_idx" ON "egress_grants"("ended_at");

-- CreateIndex
CREATE INDEX "egress_grants_agent_idx" ON "egress_grants"("agent");
