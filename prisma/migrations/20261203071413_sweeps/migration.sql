-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "sweepId" TEXT;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT,
    "spec" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "needsAdvance" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SweepTrial" (
    "id" TEXT NOT NULL,
    "sweepId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "parameters" JSONB NOT NULL,
    "jobId" TEXT,
    "pruned" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SweepTrial_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Sweep_projectId_id_idx" ON "Sweep"("projectId", "id");

-- CreateIndex
CREATE INDEX "Sweep_needsAdvance_idx" ON "Sweep"("needsAdvance");

-- CreateIndex
CREATE UNIQUE INDEX "SweepTrial_jobId_key" ON "SweepTrial"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "SweepTrial_sweepId_number_key" ON "SweepTrial"("sweepId", "number");

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepTrial" ADD CONSTRAINT "SweepTrial_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;
