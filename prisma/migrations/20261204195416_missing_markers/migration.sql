-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "decimalComma" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "missingMarkers" JSONB;
