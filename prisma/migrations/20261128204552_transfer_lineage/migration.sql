-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "baseModelId" TEXT,
ADD COLUMN     "lineage" JSONB;
