// What GET /metrics reports, read at scrape time: jobs by status and the
// last epoch of every running job from Postgres, the training queue's counts
// from Redis (through a port). Scoped to one project, or to the whole service.

import type { Database } from "../db/client.js";
import { decodeTrainingConfig } from "../db/json-columns.js";

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "paused"] as const;

/** The queue's message counts by state; implemented by the BullMQ adapter. */
export interface QueueCounts {
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

export interface RunningJobEpoch {
  jobId: string;
  epoch: number;
  durationMs: number;
  trainSamples: number;
}

export interface MetricsSnapshot {
  /** null: Postgres could not be read. */
  jobsByStatus: Record<string, number> | null;
  runningJobs: RunningJobEpoch[] | null;
  /** null: Redis could not be read, or the scope is one project (the queue is shared). */
  queue: Record<string, number> | null;
}

export function createServiceMetrics({ db, queue }: { db: Database; queue: QueueCounts }) {
  return {
    /** `projectId` null: the whole service (operators); else that project's jobs only, and no queue counts. */
    async snapshot(projectId: string | null): Promise<MetricsSnapshot> {
      const where = projectId === null ? {} : { projectId };
      const [byStatus, running, counts] = await Promise.allSettled([
        db.trainingJob.groupBy({ by: ["status"], where, _count: { _all: true } }),
        lastEpochsOfRunningJobs(db, where),
        projectId === null ? queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "completed") : Promise.reject(new Error("scoped")),
      ]);
      const jobsByStatus =
        byStatus.status === "fulfilled" ? Object.fromEntries(JOB_STATUSES.map((status) => [status, byStatus.value.find((row) => row.status === status)?._count._all ?? 0])) : null;
      return {
        jobsByStatus,
        runningJobs: running.status === "fulfilled" ? running.value : null,
        queue: counts.status === "fulfilled" ? counts.value : null,
      };
    },
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;

async function lastEpochsOfRunningJobs(db: Database, where: { projectId?: string }): Promise<RunningJobEpoch[]> {
  const jobs = await db.trainingJob.findMany({
    where: { ...where, status: "running" },
    select: { id: true, training: true, dataset: { select: { numSamples: true } }, metrics: { orderBy: { epoch: "desc" }, take: 1, select: { epoch: true, durationMs: true } } },
  });
  return jobs.flatMap((job) => {
    const last = job.metrics[0];
    if (!last) return [];
    const split = decodeTrainingConfig(job.training, `job ${job.id}'s training config`).validationSplit ?? 0;
    const trainSamples = job.dataset.numSamples - Math.round(job.dataset.numSamples * split);
    return [{ jobId: job.id, epoch: last.epoch, durationMs: last.durationMs, trainSamples }];
  });
}
