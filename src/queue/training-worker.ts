import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { FencedOut, JobFailure, type TrainingRunner } from "../services/training-runner.js";
import { TRAINING_QUEUE, type TrainingMessage } from "./training-queue.js";

export interface TrainingWorkerOptions {
  connection: Redis;
  prefix: string;
  runner: TrainingRunner;
  log: Logger;
  /** Jobs trained at once by this process. @defaultValue 1 */
  concurrency?: number;
  /** How long a job's lock lasts without renewal, in ms. @defaultValue 30000 */
  lockDuration?: number;
  /** How often stalled jobs are looked for, in ms. @defaultValue 30000 */
  stalledInterval?: number;
}

/**
 * Consumes the training queue. Failures that retrying cannot fix are marked on
 * the job and raised as UnrecoverableError so BullMQ does not retry them; other
 * errors are retried with backoff, and the last attempt marks the job failed.
 */
export function startTrainingWorker(options: TrainingWorkerOptions): Worker<TrainingMessage> {
  const { runner, log } = options;

  async function process(job: Job<TrainingMessage>) {
    const { jobId } = job.data;
    log.info({ jobId, attemptsMade: job.attemptsMade }, "training job started");
    try {
      const lastDelivery = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await runner.run(jobId, { lastDelivery });
      log.info({ jobId, ...outcome }, "training job finished");
      return outcome;
    } catch (error) {
      if (error instanceof JobFailure) {
        log.warn({ jobId, code: error.code, message: error.message }, "training job failed");
        throw new UnrecoverableError(error.message);
      }
      if (error instanceof FencedOut) {
        log.warn({ jobId }, error.message);
        throw new UnrecoverableError(error.message);
      }
      log.error({ jobId, err: error }, "training job errored; the queue retries it unless this was its last delivery");
      throw error;
    }
  }

  return new Worker<TrainingMessage>(TRAINING_QUEUE, process, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
  });
}
