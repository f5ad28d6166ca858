// Entry of the API process.

import { buildApp } from "./api/app.js";
import { loadConfig } from "./config.js";
import { createDatabase } from "./db/client.js";
import { joinEmbeddedStore } from "./embedded/store.js";
import { checkBackingServices } from "./preflight.js";
import { exitWithConfigProblem } from "./process-exit.js";
import { createRedisConnection, untilReady } from "./queue/connection.js";
import { createTrainingQueue } from "./queue/training-queue.js";
import { createPredictionPool } from "./prediction/prediction-pool.js";
import { predictionThreadEntry } from "../workers/thread-entries.js";

// `npm run api` / `npm run worker` join the embedded store of a running `npm start`.
const config = exitWithConfigProblem(() => joinEmbeddedStore(loadConfig()));
const problems = await checkBackingServices(config);
if (problems.length > 0) {
  for (const line of problems) console.error(`descent api: ${line}`);
  process.exit(1);
}

const db = createDatabase(config.databaseUrl, { statementTimeoutMs: config.databaseStatementTimeoutMs });
const redis = createRedisConnection(config.redisUrl, "producer");
redis.on("error", () => undefined); // reported by /health/ready and as 503s, not as log floods
await untilReady(redis);
const subscriber = createRedisConnection(config.redisUrl, "worker");
subscriber.on("error", () => undefined);
const queue = createTrainingQueue(redis, config.queuePrefix);
const predictions = createPredictionPool({ entry: predictionThreadEntry, threads: config.predictThreads, timeoutMs: config.predictTimeoutMs });
const app = await buildApp({ config, db, queue, redis, subscriber, predictions });

try {
  const address = await app.listen({ port: config.port, host: config.host });
  console.log(`descent api: ${address} (dashboard ${address}/, API docs ${address}/docs)`);
} catch (error) {
  const code = (error as { code?: string }).code;
  console.error(`descent api: cannot listen on ${config.host}:${config.port} (${code ?? String(error)}): set PORT to a free port`);
  process.exit(1);
}

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, "api shutting down");
  setTimeout(() => process.exit(1), config.shutdownDeadlineMs).unref();
  await app.close(); // ends event streams, finishes in-flight requests
  await predictions.close();
  await queue.close();
  redis.disconnect();
  subscriber.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
