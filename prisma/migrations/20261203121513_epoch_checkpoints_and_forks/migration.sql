-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "forkedFromEpoch" INTEGER,
ADD COLUMN     "forkedFromJobId" TEXT;

-- CreateTable
CREATE TABLE "EpochCheckpoint" (
    "jobId" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "bytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EpochCheckpoint_pkey" PRIMARY KEY ("jobId","epoch")
);

-- AddForeignKey
ALTER TABLE "EpochCheckpoint" ADD CONSTRAINT "EpochCheckpoint_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "TrainingJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;
