-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "fingerprint" TEXT;

-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "fingerprint" TEXT;

-- CreateIndex
CREATE INDEX "TrainingJob_projectId_fingerprint_idx" ON "TrainingJob"("projectId", "fingerprint");
