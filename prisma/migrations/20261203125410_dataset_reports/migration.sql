-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "report" JSONB;
