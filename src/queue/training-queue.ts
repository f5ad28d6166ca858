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

/** BullMQ's highest priority number (priorities run from 1, first served, to this). */
const MAX_PRIORITY = 2_097_152;

/**
 * Enqueue a job under its own id, so adding it twice is a no-op. Every job
 * carries a priority (its rank in its project): BullMQ serves jobs without
 * one before all prioritized ones, which would undo the fair order.
 */
export async function enqueueTraining(queue: TrainingQueue, jobId: string, rank: number): Promise<void> {
  await queue.add("train", { jobId }, { jobId, priority: Math.min(MAX_PRIORITY, Math.max(1, Math.floor(rank))) });
}

/** The services' view of the training queue. */
export function trainingQueuePort(queue: TrainingQueue): TrainingQueuePort {
  return {
    enqueue: (jobId, rank) => enqueueTraining(queue, jobId, rank),
    remove: async (jobId) => void (await queue.remove(jobId)),
    stateOf: (jobId) => queue.getJobState(jobId),
  };
}
