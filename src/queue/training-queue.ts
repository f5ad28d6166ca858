import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { TrainingQueuePort } from "../services/training-queue-port.js";

/** The BullMQ queue that carries training work. */
export const TRAINING_QUEUE = "training";

/** The queue message carries only the id: Postgres holds the job itself. */
export interface TrainingMessage {
  jobId: string;
}

export type TrainingQueue = Queue<TrainingMessage>;

export function createTrainingQueue(connection: Redis, prefix: string): TrainingQueue {
  return new Queue<TrainingMessage>(TRAINING_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // Transient failures (Postgres or Redis briefly down) are retried after
      // 2, 4, 8 and 16 s, each resuming from the last checkpoint; the worker
      // marks deterministic failures (invalid spec, divergence, cancel)
      // unrecoverable so they are not retried.
      attempts: 5,
      backoff: { type: "exponential", delay: 2_000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/**
 * A job's entry in the queue: its id, then "<id>.resume-<n>" after its n-th
 * resume (the entry of the run it paused from stays, completed, in the
 * queue, and adding under an id the queue holds is a no-op).
 */
export function queueEntryId(jobId: string, resumes = 0): string {
  return resumes === 0 ? jobId : `${jobId}.resume-${resumes}`;
}

/** BullMQ's highest priority number (priorities run from 1, first served, to this). */
const MAX_PRIORITY = 2_097_152;

/**
 * Enqueue a job under its entry id (its own id until it is resumed), so
 * adding it twice is a no-op. Every job carries a priority (its rank in its
 * project): BullMQ serves jobs without one before all prioritized ones,
 * which would undo the fair order.
 */
export async function enqueueTraining(queue: TrainingQueue, jobId: string, rank: number, resumes = 0): Promise<void> {
  await queue.add("train", { jobId }, { jobId: queueEntryId(jobId, resumes), priority: Math.min(MAX_PRIORITY, Math.max(1, Math.floor(rank))) });
}

/** The services' view of the training queue. */
export function trainingQueuePort(queue: TrainingQueue): TrainingQueuePort {
  return {
    enqueue: (jobId, rank, resumes) => enqueueTraining(queue, jobId, rank, resumes),
    remove: async (jobId, resumes) => void (await queue.remove(queueEntryId(jobId, resumes))),
    stateOf: (jobId, resumes) => queue.getJobState(queueEntryId(jobId, resumes)),
  };
}
