-- AlterTable
ALTER TABLE "SweepTrial" ADD COLUMN     "waitingAtEpoch" INTEGER;
