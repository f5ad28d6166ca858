import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { buildApp } from "../../src/api/app.js";
import { loadConfig } from "../../src/config.js";
import { createDatabase, type Database } from "../../src/db/client.js";
import { createRedisConnection, untilReady } from "../../src/queue/connection.js";
import { createTrainingQueue, type TrainingQueue } from "../../src/queue/training-queue.js";
import { createPredictionPool } from "../../src/prediction/prediction-pool.js";
import type { PredictionRunner } from "../../src/services/models.js";
import { predictionThreadEntry } from "../../workers/thread-entries.js";
import { createTestDatabase } from "./postgres.js";

export const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestContext {
  app: FastifyInstance;
  db: Database;
  queue: TrainingQueue;
  /** The app's prediction threads (the same object the app calls). */
  predictions: PredictionRunner;
  databaseUrl: string;
  /** The BullMQ key prefix of this file, so files never share queues. */
  queuePrefix: string;
  close(): Promise<void>;
}

/** The API on a database and a Redis key prefix of its own, with real Postgres and Redis. */
export const testAdminKey = "test-admin-key-0123456789";

/**
 * `auth: "off"` (the default here) puts every request in the default project,
 * so tests of other features need no keys; the auth tests turn it on.
 */
export async function createTestContext({
  auth = "off",
  configEnv = {},
  connectVia,
}: {
  auth?: "on" | "off";
  configEnv?: Record<string, string>;
  /** The app reaches Postgres through this port on 127.0.0.1 (a test's own proxy), not directly. */
  connectVia?: number;
} = {}): Promise<TestContext> {
  const adminKey = testAdminKey;
  const database = await createTestDatabase();
  const queuePrefix = `descent-test-${randomBytes(4).toString("hex")}`;
  const config = loadConfig({ DESCENT_AUTH: auth, DESCENT_ADMIN_KEY: adminKey, ...configEnv });
  const appUrl = new URL(database.url);
  if (connectVia !== undefined) Object.assign(appUrl, { hostname: "127.0.0.1", port: String(connectVia) });
  const db = createDatabase(appUrl.toString(), { statementTimeoutMs: config.databaseStatementTimeoutMs });
  const redis = createRedisConnection(redisUrl, "producer");
  await untilReady(redis);
  const subscriber = createRedisConnection(redisUrl, "worker");
  const queue = createTrainingQueue(redis, queuePrefix);
  const predictions = createPredictionPool({ entry: predictionThreadEntry, threads: config.predictThreads, timeoutMs: config.predictTimeoutMs });
  const app = await buildApp({
    config: {
      ...config,
      logLevel: process.env.TEST_LOGS === "1" ? "info" : "silent",
      queuePrefix,
    },
    db,
    queue,
    redis,
    subscriber,
    predictions,
    logging: process.env.TEST_LOGS === "1",
  });
  await app.ready();
  return {
    app,
    db,
    queue,
    predictions,
    databaseUrl: database.url,
    queuePrefix,
    async close() {
      await app.close();
      await predictions.close();
      await queue.close();
      await deleteKeys(redis, `${queuePrefix}:*`);
      redis.disconnect();
      subscriber.disconnect();
      await db.$disconnect();
      await database.drop();
    },
  };
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}
