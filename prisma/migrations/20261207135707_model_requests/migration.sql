-- CreateTable
CREATE TABLE "model_requests" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "subject" TEXT NOT NULL,
    "agent" TEXT,
    "job" TEXT,
    "provider" TEXT NOT NULL,
    "model" TEXT,
    "status" INTEGER,
    "outcome" TEXT NOT NULL,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "duration_ms" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "model_requests_agent_at_idx" ON "model_requests"("agent", "at");

-- CreateIndex
CREATE INDEX "model_requests_job_idx" ON "model_requests"("job");

-- CreateIndex
CREATE INDEX "model_requests_at_idx" ON "model_requests"("at");
