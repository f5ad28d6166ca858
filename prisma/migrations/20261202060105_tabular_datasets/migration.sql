-- CreateEnum
CREATE TYPE "DatasetKind" AS ENUM ('matrix', 'table');

-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "columns" JSONB,
ADD COLUMN     "kind" "DatasetKind" NOT NULL DEFAULT 'matrix',
ADD COLUMN     "labelColumn" TEXT,
ADD COLUMN     "rowsWithoutLabel" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "table" BYTEA;

-- AlterTable
ALTER TABLE "EpochMetric" ADD COLUMN     "mae" DOUBLE PRECISION,
ADD COLUMN     "valMae" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "pipeline" JSONB;

-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "pipeline" JSONB;
