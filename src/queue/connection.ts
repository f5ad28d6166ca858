import { Redis } from "ioredis";

export type RedisRole = "producer" | "worker";

/**
 * Redis connections for BullMQ. Workers block on Redis and must wait through
 * outages (`maxRetriesPerRequest: null`); producers (the API) fail fast so a
 * request answers 503 instead of hanging (`enableOfflineQueue: false`).
 */
export function createRedisConnection(redisUrl: string, role: RedisRole): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

/** Resolves once the connection is ready; a producer without an offline queue rejects commands until then. */
export async function untilReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}
