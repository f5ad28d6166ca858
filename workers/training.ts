// Entry of a training worker process: wires the queue, the database and the
// warm training threads. Start more of them to train more jobs at once (npm run worker).

import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/client.js";
import { joinEmbeddedStore } from "../src/embedded/store.js";
import { createLogger } from "../src/logger.js";
import { checkBackingServices } from "../src/preflight.js";
import { exitWithConfigProblem } from "../src/process-exit.js";
import { createRedisConnection } from "../src/queue/connection.js";
import { redisEventSink, redisJobSignals } from "../src/queue/job-event-channel.js";
import { startReconciler } from "../src/queue/reconciler.js";
import { createTrainingQueue, trainingQueuePort } from "../src/queue/training-queue.js";
import { startTrainingWorker } from "../src/queue/training-worker.js";
import { startHeartbeat } from "../src/queue/worker-heartbeat.js";
import { createJobRecovery } from "../src/services/job-recovery.js";
import { createJobService } from "../src/services/jobs.js";
import { startSweepAdvancer } from "../src/services/sweep-advancer.js";
import { createSweepService } from "../src/services/sweeps.js";
import { createWebhookDeliveries } from "../src/services/webhook-deliveries.js";
import { startWebhookDispatcher } from "../src/queue/webhook-queue.js";
import { trainingThreadEntry } from "./thread-entries.js";

// `npm run api` / `npm run worker` join the embedded store of a running `npm start`.
const config = exitWithConfigProblem(() => joinEmbeddedStore(loadConfig()));
const log = createLogger(config.logLevel, "worker");

const problems = await checkBackingServices(config);
if (problems.length > 0) {
  for (const line of problems) console.error(`descent worker: ${line}`);
  process.exit(1);
}

const db = createDatabase(config.databaseUrl, { poolSize: 3 });
const connection = createRedisConnection(config.redisUrl, "worker");
const publisher = createRedisConnection(config.redisUrl, "worker");
const subscriber = createRedisConnection(config.redisUrl, "worker");
for (const redis of [connection, publisher, subscriber]) redis.on("error", (error) => log.warn({ err: error }, "redis connection error"));

const recovery = createJobRecovery({ db });
const training = startTrainingWorker({
  connection,
  publisher,
  subscriber,
  prefix: config.queuePrefix,
  databaseUrl: config.databaseUrl,
  threadEntry: trainingThreadEntry,
  recovery,
  log,
  concurrency: config.workerConcurrency,
  kernelThreads: config.workerThreadsPerJob,
  checkpointsKept: config.checkpointsKept,
  lockDuration: config.workerLockDurationMs,
  stalledInterval: config.workerStalledIntervalMs,
  maxStalledCount: config.workerMaxStalledCount,
});
training.worker.on("error", (error) => log.error({ err: error }, "worker error"));
const reconciler = startReconciler({
  queue: createTrainingQueue(connection, config.queuePrefix),
  recovery,
  events: redisEventSink(publisher, config.queuePrefix),
  log,
  intervalMs: config.reconcileIntervalMs,
});
// Webhook deliveries of jobs' ends (any worker delivers any project's).
const webhooks = startWebhookDispatcher({
  connection,
  prefix: config.queuePrefix,
  deliveries: createWebhookDeliveries({ db, settings: { allowPrivate: config.webhooks.allowPrivateAddresses, timeoutMs: config.webhooks.timeoutMs } }),
  log,
  maxAttempts: config.webhooks.maxAttempts,
  backoffMs: config.webhooks.backoffMs,
  pollIntervalMs: config.webhooks.pollIntervalMs,
});
// Sweeps: when a trial ends, the next trials are submitted from here, as the API submits jobs.
const trainingQueue = createTrainingQueue(connection, config.queuePrefix);
const jobs = createJobService({
  db,
  queue: trainingQueuePort(trainingQueue),
  limits: config.limits,
  signals: redisJobSignals(publisher, config.queuePrefix),
});
const sweepAdvancer = startSweepAdvancer({ sweeps: createSweepService({ db, jobs }), intervalMs: config.sweepPollIntervalMs, log });
// A job that ends here may have flagged its sweep and made webhook deliveries: look for them now, not at the next poll.
for (const event of ["completed", "failed"] as const) {
  training.worker.on(event, () => {
    sweepAdvancer.nudge();
    webhooks.nudge();
  });
}
await Promise.all([training.worker.waitUntilReady(), training.ready]);
const heartbeat = startHeartbeat(publisher, config.queuePrefix, config.workerHeartbeatIntervalMs);
log.info({ queue: training.worker.name, prefix: config.queuePrefix, concurrency: config.workerConcurrency, threadsPerJob: config.workerThreadsPerJob }, "worker ready");

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, "worker shutting down: releasing running jobs at their next batch");
  // Whatever hangs (a Redis or Postgres that is gone), the process ends by the deadline.
  setTimeout(() => process.exit(1), config.shutdownDeadlineMs).unref();
  reconciler.stop();
  sweepAdvancer.stop();
  await heartbeat.stop();
  await training.shutdown(config.shutdownDeadlineMs - 1_000);
  await webhooks.close().catch(() => undefined);
  for (const redis of [connection, publisher, subscriber]) redis.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
