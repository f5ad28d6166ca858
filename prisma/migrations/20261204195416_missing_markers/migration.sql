-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "dateOrder" TEXT,
ADD COLUMN     "decimalComma" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "missingMarkers" JSONB;
