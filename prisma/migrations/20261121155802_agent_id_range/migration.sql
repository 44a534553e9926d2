-- AlterTable
ALTER TABLE "agents" ADD COLUMN "id_base" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "agents_id_base_key" ON "agents"("id_base");
