import type { Logger } from "pino";
import type { JobRecovery } from "../services/job-recovery.js";
import type { JobEventSink } from "../services/job-events.js";
import { trainingQueuePort, type TrainingQueue } from "./training-queue.js";

/**
 * Runs the job reconciler at start and then every `intervalMs`, in each
 * worker process (re-enqueueing is idempotent: the queue entry's id is the
 * job's id). A round that fails (Redis or Postgres down) is simply retried
 * at the next tick.
 */
export function startReconciler({
  queue,
  recovery,
  events,
  log,
  intervalMs,
}: {
  queue: TrainingQueue;
  recovery: JobRecovery;
  events: JobEventSink;
  log: Logger;
  intervalMs: number;
}) {
  const view = trainingQueuePort(queue);
  let running = false;
  async function round() {
    if (running) return;
    running = true;
    try {
      const { reenqueued, failed } = await recovery.reconcile(view, events);
      if (reenqueued.length > 0 || failed.length > 0) log.warn({ reenqueued, failed }, "reconciled jobs the queue had lost or given up on");
    } catch (error) {
      log.warn({ err: error }, "reconciler round failed; retrying at the next tick");
    } finally {
      running = false;
    }
  }
  void round();
  const timer = setInterval(round, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), round };
}
