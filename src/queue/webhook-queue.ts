// Webhook deliveries on a BullMQ queue of their own: a pump moves the outbox
// rows Postgres holds (src/services/webhook-outbox.ts) onto the queue, one
// queue job per delivery under the delivery's id (so a row enqueued twice is
// one job), and a worker makes the attempts, retried with exponential backoff.

import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { startPoller } from "../poller.js";
import type { WebhookDeliveries } from "../services/webhook-deliveries.js";

export const WEBHOOK_QUEUE = "webhooks";

export interface WebhookDispatcherOptions {
  connection: Redis;
  prefix: string;
  deliveries: WebhookDeliveries;
  log: Logger;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** The first retry waits this long, each next one twice as long, in ms. */
  backoffMs: number;
  /** How often the pump looks for deliveries to enqueue, in ms (backing off to 8x while it finds none; see poller.ts). */
  pollIntervalMs: number;
}

export interface WebhookDispatcher {
  /** Looks for new deliveries at once (a job of this process just ended). */
  nudge(): void;
  close(): Promise<void>;
}

export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { deliveries, log } = options;
  const queue = new Queue<{ deliveryId: string }>(WEBHOOK_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: { attempts: options.maxAttempts, backoff: { type: "exponential", delay: options.backoffMs }, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });

  const worker = new Worker<{ deliveryId: string }>(
    WEBHOOK_QUEUE,
    async (job: Job<{ deliveryId: string }>) => {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await deliveries.attempt(job.data.deliveryId, { last });
      if (outcome.result === "retry") throw new Error(outcome.error);
      if (outcome.result === "refused") throw new UnrecoverableError(outcome.error);
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 8 },
  );
  worker.on("failed", (job, error) => log.warn({ deliveryId: job?.data.deliveryId, attemptsMade: job?.attemptsMade, err: error }, "webhook delivery attempt failed"));
  worker.on("error", (error) => log.warn({ err: error }, "webhook worker error"));

  const pump = startPoller({
    intervalMs: options.pollIntervalMs,
    async poll() {
      let found = false;
      for (;;) {
        const ids = await deliveries.claimUnqueued(100);
        if (ids.length === 0) return found;
        found = true;
        try {
          await queue.addBulk(ids.map((deliveryId) => ({ name: "deliver", data: { deliveryId }, opts: { jobId: deliveryId } })));
        } catch (error) {
          await deliveries.unclaim(ids).catch(() => undefined);
          throw error;
        }
      }
    },
    onError: (error) => log.warn({ err: error }, "could not enqueue webhook deliveries; retrying"),
  });

  return {
    nudge: () => pump.nudge(),
    async close() {
      pump.stop();
      await worker.close();
      await queue.close();
    },
  };
}
