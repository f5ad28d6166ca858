// Repairs the gaps between Postgres (the truth) and the queue (the work):
// jobs whose queue entry was lost, and jobs the queue gave up on.

import type { Database } from "../db/client.js";
import type { TrainingQueuePort } from "./training-queue-port.js";
import { insertJobEnd, type JobEventSink } from "./job-events.js";

export type QueueView = Pick<TrainingQueuePort, "stateOf" | "enqueue">;

export function createJobRecovery({ db }: { db: Database }) {
  /** Fails a running job that BullMQ failed as stalled too often (its workers kept dying or hanging). */
  async function failStalled(jobId: string, events: JobEventSink): Promise<boolean> {
    const error = { code: "STALLED_TOO_OFTEN", message: "the job's worker stopped responding too many times; it will not be retried" };
    const published = await db.$transaction(async (tx) => {
      // Not fenced by attempt: no live worker owns the job. Bumping the
      // attempt fences out any that wakes up later.
      const { count } = await tx.trainingJob.updateMany({
        where: { id: jobId, status: { in: ["queued", "running"] } },
        data: { status: "failed", error, attempt: { increment: 1 }, finishedAt: new Date() },
      });
      if (count === 0) return [];
      return insertJobEnd(tx, jobId, { status: "failed", message: error.message, done: { error } });
    });
    for (const event of published) events.publish(jobId, event);
    return published.length > 0;
  }

  /**
   * Re-enqueues queued or running jobs that the queue does not know (a crash
   * between the job's insert and its enqueue, or Redis losing its data), and
   * fails running jobs the queue has failed for good. Jobs younger than
   * `minAgeMs` are left alone: their enqueue may be in flight.
   */
  async function reconcile(queue: QueueView, events: JobEventSink, { minAgeMs = 30_000 } = {}): Promise<{ reenqueued: string[]; failed: string[] }> {
    const jobs = await db.trainingJob.findMany({
      where: { status: { in: ["queued", "running"] }, createdAt: { lt: new Date(Date.now() - minAgeMs) } },
      select: { id: true, status: true, projectId: true, resumes: true },
      orderBy: { id: "asc" },
      take: 1000,
    });
    const reenqueued: string[] = [];
    const failed: string[] = [];
    for (const job of jobs) {
      const state = await queue.stateOf(job.id, job.resumes);
      if (state === "unknown") {
        // Its place among its project's active jobs, as at submission.
        const ahead = await db.trainingJob.count({ where: { projectId: job.projectId, status: { in: ["queued", "running"] }, id: { lt: job.id } } });
        await queue.enqueue(job.id, ahead + 1, job.resumes);
        reenqueued.push(job.id);
      } else if (state === "failed" && (await failStalled(job.id, events))) {
        failed.push(job.id);
      }
    }
    return { reenqueued, failed };
  }

  return { failStalled, reconcile };
}

export type JobRecovery = ReturnType<typeof createJobRecovery>;
