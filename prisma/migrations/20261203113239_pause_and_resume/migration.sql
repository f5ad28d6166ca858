-- AlterEnum
ALTER TYPE "JobStatus" ADD VALUE 'paused';

-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "pauseRequested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "resumes" INTEGER NOT NULL DEFAULT 0;
