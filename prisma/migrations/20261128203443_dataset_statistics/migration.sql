-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "statistics" JSONB NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "Dataset_projectId_checksum_idx" ON "Dataset"("projectId", "checksum");
