import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { JobRecovery } from "../services/job-recovery.js";

import { jobControlChannel, parseControlMessage, redisEventSink } from "./job-event-channel.js";
import { Control, TrainingThreadError, createTrainingThreadPool, type TrainingThread } from "./training-thread.js";
import { TRAINING_QUEUE, type TrainingMessage } from "./training-queue.js";

export interface TrainingWorkerOptions {
  /** BullMQ's connection (blocking commands); `maxRetriesPerRequest: null`. */
  connection: Redis;
  /** For publishing job events. */
  publisher: Redis;
  /** A connection in subscriber mode, for cancel requests. */
  subscriber: Redis;
  prefix: string;
  databaseUrl: string;
  /** The training thread's entry (workers/thread-entries.ts). */
  threadEntry: URL;
  recovery: JobRecovery;
  log: Logger;
  /** Jobs trained at once by this process (and warm training threads kept). @defaultValue 1 */
  concurrency?: number;
  /** Threads that share one job's large products, the training thread included. @defaultValue 1 */
  kernelThreads?: number;
  /** Checkpoints of each job's latest epochs kept for forks. @defaultValue 0 */
  checkpointsKept?: number;
  /**
   * How long a job's lock lasts without renewal, in ms. Training runs on a
   * thread, so the event loop renews it every lockDuration / 2 however long
   * an epoch is. @defaultValue 15000
   */
  lockDuration?: number;
  /** How often stalled jobs (a dead worker's) are looked for, in ms. @defaultValue 5000 */
  stalledInterval?: number;
  /** How many times a stalled job goes back to waiting before it fails with STALLED_TOO_OFTEN. @defaultValue 2 */
  maxStalledCount?: number;
}

export interface TrainingWorker {
  worker: Worker<TrainingMessage>;
  /** Resolves once the warm training threads are ready to start a job. */
  ready: Promise<void>;
  /** Takes no new job, releases the running ones at their next batch for another worker to resume, and resolves within `deadlineMs`. */
  shutdown(deadlineMs: number): Promise<void>;
}

/**
 * Consumes the training queue, training each job on a warm thread of the pool.
 * Failures that retrying cannot fix are marked on the job and raised as
 * UnrecoverableError so BullMQ does not retry them; other errors are retried
 * with backoff, and the last attempt marks the job failed.
 */
export function startTrainingWorker(options: TrainingWorkerOptions): TrainingWorker {
  const { log, recovery } = options;
  const events = redisEventSink(options.publisher, options.prefix);
  const running = new Map<string, TrainingThread>();
  const concurrency = options.concurrency ?? 1;
  const threads = createTrainingThreadPool(options.threadEntry, { size: concurrency, databaseUrl: options.databaseUrl, kernelThreads: options.kernelThreads ?? 1, checkpointsKept: options.checkpointsKept ?? 0 });

  async function process(job: Job<TrainingMessage>, token?: string) {
    const { jobId } = job.data;
    const lastDelivery = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const thread = threads.run({ jobId, lastDelivery }, (id, event) => events.publish(id, event));
    log.info({ jobId, attemptsMade: job.attemptsMade, thread: thread.threadId }, "training job started");
    running.set(jobId, thread);
    try {
      const outcome = await thread.outcome;
      log.info({ jobId, ...outcome }, "training job finished");
      return outcome;
    } catch (error) {
      const disposition = error instanceof TrainingThreadError ? error.wire.disposition : "retry";
      if (disposition === "release") {
        log.info({ jobId }, (error as Error).message);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (disposition === "final") {
        log.warn({ jobId, err: error }, "training job ended without success");
        throw new UnrecoverableError((error as Error).message);
      }
      log.error({ jobId, err: error }, "training job errored; the queue retries it unless this was its last delivery");
      throw error;
    } finally {
      running.delete(jobId);
    }
  }

  const worker = new Worker<TrainingMessage>(TRAINING_QUEUE, process, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency,
    lockDuration: options.lockDuration ?? 15_000,
    stalledInterval: options.stalledInterval ?? 5_000,
    maxStalledCount: options.maxStalledCount ?? 2,
  });

  // BullMQ fails a job that stalled too often without running our code: say so on the job.
  worker.on("failed", (job, error) => {
    if (job && /stalled more than allowable limit/i.test(error.message)) {
      recovery.failStalled(job.data.jobId, events).catch((e) => log.error({ err: e, jobId: job.data.jobId }, "could not mark a stalled job failed"));
    }
  });

  // Cancel and pause requests reach every worker; the one running the job stops it at the next batch.
  const channel = jobControlChannel(options.prefix);
  options.subscriber.subscribe(channel).catch((error) => log.error({ err: error }, "cannot subscribe to cancel and pause requests"));
  options.subscriber.on("message", (from, text) => {
    const message = from === channel ? parseControlMessage(text) : null;
    if (message) running.get(message.jobId)?.signal(Control[message.stop]);
  });

  async function shutdown(deadlineMs: number): Promise<void> {
    const closing = worker.close();
    for (const thread of running.values()) thread.signal(Control.shutdown);
    const deadline = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), deadlineMs).unref());
    if ((await Promise.race([closing, deadline])) === "late") {
      log.warn({ jobs: [...running.keys()] }, "shutdown deadline passed: ending training threads; their jobs resume elsewhere after their locks expire");
      await Promise.all([...running.values()].map((thread) => thread.terminate()));
    }
    await threads.close();
  }

  return { worker, ready: threads.warm(), shutdown };
}
