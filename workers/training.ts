// Entry of a training worker process: wires the queue, the database and the
// engine. Start more of them to train more jobs at once (npm run worker).

import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/client.js";
import { createLogger } from "../src/logger.js";
import { checkBackingServices } from "../src/preflight.js";
import { createRedisConnection } from "../src/queue/connection.js";
import { startTrainingWorker } from "../src/queue/training-worker.js";
import { createTrainingRunner } from "../src/services/training-runner.js";
import { exitWithConfigProblem } from "../src/process-exit.js";

const config = exitWithConfigProblem(loadConfig);
const log = createLogger(config.logLevel, "worker");

const problems = await checkBackingServices(config);
if (problems.length > 0) {
  for (const line of problems) console.error(`descent worker: ${line}`);
  process.exit(1);
}

const db = createDatabase(config.databaseUrl);
const connection = createRedisConnection(config.redisUrl, "worker");
const worker = startTrainingWorker({
  connection,
  prefix: config.queuePrefix,
  runner: createTrainingRunner({ db }),
  log,
  concurrency: config.workerConcurrency,
  lockDuration: optionalInteger(process.env.WORKER_LOCK_DURATION_MS),
  stalledInterval: optionalInteger(process.env.WORKER_STALLED_INTERVAL_MS),
});
worker.on("error", (error) => log.error({ err: error }, "worker error"));
await worker.waitUntilReady();
log.info({ queue: worker.name, prefix: config.queuePrefix, concurrency: config.workerConcurrency }, "worker ready");

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, "worker shutting down");
  // worker.close() waits for the running job with no deadline of its own.
  const deadline = setTimeout(() => {
    log.warn("shutdown deadline passed; exiting with the job unfinished (another worker will take it)");
    process.exit(1);
  }, 10_000);
  deadline.unref();
  await worker.close();
  connection.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

function optionalInteger(value: string | undefined): number | undefined {
  return value ? Number.parseInt(value, 10) : undefined;
}
