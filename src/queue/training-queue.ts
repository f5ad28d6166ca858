import { Queue } from "bullmq";
import type { Redis } from "ioredis";

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

/** Enqueue a job under its own id, so adding it twice is a no-op. */
export async function enqueueTraining(queue: TrainingQueue, jobId: string): Promise<void> {
  await queue.add("train", { jobId }, { jobId });
}
