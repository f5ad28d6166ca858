-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "verification" JSONB,
ADD COLUMN     "verifiesModelId" TEXT;
