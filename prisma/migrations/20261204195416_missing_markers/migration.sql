-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "missingMarkers" JSONB;
