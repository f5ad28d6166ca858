// The embedded store's host: the one process (`npm start`) that runs PGlite
// and the in-memory Redis; the API, the workers and `npm run worker` connect
// to their ports like to any Postgres and Redis.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { ConfigError } from "../config.js";
import { createDatabase } from "../db/client.js";
import { createRedisConnection } from "../queue/connection.js";
import { createTrainingQueue, trainingQueuePort } from "../queue/training-queue.js";
import { silentSink } from "../services/job-events.js";
import { createJobRecovery } from "../services/job-recovery.js";
import { startMaintenance } from "./maintenance.js";
import { startEmbeddedPostgres } from "./postgres.js";
import { startEmbeddedRedis } from "./redis.js";
import { hostAnswers, readRunningHost, removeHostState, writeHostState } from "./state-file.js";

export interface EmbeddedHost {
  databaseUrl: string;
  redisUrl: string;
  dataDir: string;
  /** The one line printed at start: what runs, where its data lives, not for production. */
  banner: string;
  /** Re-enqueues the queued and running jobs of Postgres (the in-memory queue starts empty); returns their ids. */
  requeueUnfinishedJobs(queuePrefix: string): Promise<string[]>;
  close(): Promise<void>;
}

// js-redis-server slows down as BullMQ's events stream grows (measured:
// 83 -> 7 jobs/s over 3,000 jobs at BullMQ's default cap of 10,000 events,
// steady at 110-200 jobs/s with a cap of 100). BullMQ trims the stream to the
// `opts.maxLenEvents` of the queue's meta hash, which each Queue rewrites at
// start, so the host keeps it at 100. Nothing in descent relies on old events:
// Postgres keeps each job's history.
const EVENTS_MAX_LEN = "100";
const CAP_EVERY_MS = 2_000;

export async function startEmbeddedHost({ dataDir }: { dataDir: string }): Promise<EmbeddedHost> {
  const other = readRunningHost(dataDir);
  if (other && (await hostAnswers(other))) {
    throw new ConfigError(`the embedded store in ${dataDir} is already run by process ${other.pid}; stop it first (npm run worker joins it instead)`);
  }
  const pgDir = join(dataDir, "pg");
  const firstStart = !existsSync(join(pgDir, "PG_VERSION"));
  const started = performance.now();
  const postgres = await startEmbeddedPostgres({ dataDir: pgDir });
  const redis = await startEmbeddedRedis().catch(async (error) => {
    await postgres.close();
    throw error;
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  await writeHostState(dataDir, { pid: process.pid, databaseUrl: postgres.url, redisUrl: redis.url, startedAt: new Date().toISOString() });
  const capper = capEventStreams(redis.url);
  const maintenance = startMaintenance(postgres.url);

  const banner =
    `descent: embedded store, not for production: Postgres (PGlite) at 127.0.0.1:${postgres.port} with its data in ${pgDir}, ` +
    `queue (js-redis-server, in memory) at 127.0.0.1:${redis.port}; ${firstStart ? "created" : "opened"} in ${seconds} s. ` +
    `Set DATABASE_URL and REDIS_URL (or DESCENT_STORE=external) to use your own Postgres and Redis.`;

  let closed = false;
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    dataDir,
    banner,
    requeueUnfinishedJobs: (queuePrefix) => requeueUnfinishedJobs(postgres.url, redis.url, queuePrefix),
    async close() {
      if (closed) return;
      closed = true;
      capper.stop();
      maintenance.stop();
      await redis.close();
      await postgres.close();
      await removeHostState(dataDir);
    },
  };
}

/**
 * Called at start, before any API runs: every queued or running job in
 * Postgres lost its queue entry with the previous process's memory. The
 * reconciler of the job lifecycle does the work (jobId = our id, so an entry
 * that exists is left as it is); no minimum age, since no enqueue can be in flight.
 */
async function requeueUnfinishedJobs(databaseUrl: string, redisUrl: string, queuePrefix: string): Promise<string[]> {
  const db = createDatabase(databaseUrl);
  const redis = createRedisConnection(redisUrl, "worker");
  const queue = createTrainingQueue(redis, queuePrefix);
  try {
    const recovery = createJobRecovery({ db });
    const view = trainingQueuePort(queue);
    const { reenqueued } = await recovery.reconcile(view, silentSink, { minAgeMs: 0 });
    return reenqueued;
  } finally {
    await queue.close();
    redis.disconnect();
    await db.$disconnect();
  }
}

function capEventStreams(redisUrl: string): { stop(): void } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => undefined);
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", "*:meta", "COUNT", 100);
        for (const key of keys) {
          if ((await redis.hget(key, "opts.maxLenEvents")) !== EVENTS_MAX_LEN) await redis.hset(key, "opts.maxLenEvents", EVENTS_MAX_LEN);
        }
        cursor = next;
      } while (cursor !== "0");
    } catch {
      // The next tick tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), CAP_EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      redis.disconnect();
    },
  };
}
