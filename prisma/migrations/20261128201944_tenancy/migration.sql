-- DropIndex
DROP INDEX "Dataset_createdAt_id_idx";

-- DropIndex
DROP INDEX "Model_createdAt_id_idx";

-- DropIndex
DROP INDEX "TrainingJob_createdAt_id_idx";

-- CreateTable
CREATE TABLE "Project" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- Rows from before tenancy belong to a "default" project (the one DESCENT_AUTH=off uses).
INSERT INTO "Project" ("id", "name") VALUES ('prj_default', 'default') ON CONFLICT DO NOTHING;

-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "projectId" TEXT NOT NULL DEFAULT 'prj_default';
ALTER TABLE "Dataset" ALTER COLUMN "projectId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "projectId" TEXT NOT NULL DEFAULT 'prj_default';
ALTER TABLE "Model" ALTER COLUMN "projectId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "projectId" TEXT NOT NULL DEFAULT 'prj_default';
ALTER TABLE "TrainingJob" ALTER COLUMN "projectId" DROP DEFAULT;

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "projectId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "statusCode" INTEGER NOT NULL,
    "body" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("projectId","route","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_createdAt_idx" ON "IdempotencyRecord"("createdAt");

-- CreateIndex
CREATE INDEX "Dataset_projectId_id_idx" ON "Dataset"("projectId", "id");

-- CreateIndex
CREATE INDEX "Model_projectId_id_idx" ON "Model"("projectId", "id");

-- CreateIndex
CREATE INDEX "TrainingJob_projectId_id_idx" ON "TrainingJob"("projectId", "id");

-- CreateIndex
CREATE INDEX "TrainingJob_projectId_status_idx" ON "TrainingJob"("projectId", "status");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
