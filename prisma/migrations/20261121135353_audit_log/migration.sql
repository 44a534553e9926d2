-- CreateTable
CREATE TABLE "audit_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "time" DATETIME NOT NULL,
    "category" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "agent" TEXT,
    "outcome" TEXT NOT NULL,
    "details" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "tree_size" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "head_hash" TEXT NOT NULL,
    "time" DATETIME NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "audit_events_time_idx" ON "audit_events"("time");

-- CreateIndex
CREATE INDEX "audit_events_category_id_idx" ON "audit_events"("category", "id");

-- CreateIndex
CREATE INDEX "audit_events_action_id_idx" ON "audit_events"("action", "id");

-- CreateIndex
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor", "id");

-- CreateIndex
CREATE INDEX "audit_events_agent_id_idx" ON "audit_events"("agent", "id");

-- CreateIndex
CREATE INDEX "audit_events_outcome_id_idx" ON "audit_events"("outcome", "id");
