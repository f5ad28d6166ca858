// Builds the API in memory (no listening, no Postgres or Redis traffic) and
// returns its OpenAPI document, exactly as GET /openapi.json serves it.

import { Redis } from "ioredis";
import { buildApp } from "../../src/api/app.js";
import { loadConfig } from "../../src/config.js";
import { createDatabase } from "../../src/db/client.js";
import type { TrainingQueue } from "../../src/queue/training-queue.js";
import { createPredictionPool } from "../../src/prediction/prediction-pool.js";
import { predictionThreadEntry } from "../../workers/thread-entries.js";

export async function openApiDocument(): Promise<Record<string, unknown>> {
  // Nothing connects: Prisma and ioredis (lazyConnect) only connect on a first command,
  // and auth "on" skips creating the default project.
  const db = createDatabase("postgresql://offline@127.0.0.1:1/offline", { poolSize: 1 });
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const subscriber = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const config = loadConfig({ DESCENT_AUTH: "on", LOG_LEVEL: "silent" });
  // The queue is only used while handling requests; none is sent here but GET /openapi.json.
  const queue = {} as TrainingQueue;
  for (const connection of [redis, subscriber]) connection.on("error", () => undefined);
  const predictions = createPredictionPool({ entry: predictionThreadEntry }); // starts no thread until a prediction
  const app = await buildApp({ config, db, queue, redis, subscriber, predictions, logging: false });
  try {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body}`);
    return res.json();
  } finally {
    await app.close();
    await predictions.close();
    redis.disconnect();
    subscriber.disconnect();
    await db.$disconnect();
  }
}
