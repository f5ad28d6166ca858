import { hostname } from "node:os";
import type { Redis } from "ioredis";

// A worker's sign of life for container health checks: the worker writes its
// key every interval; `node dist/workers/healthcheck.js` finds a fresh one
// written from the same host (each container has its own hostname).

function keyPrefix(prefix: string, host = hostname()): string {
  return `${prefix}:worker-heartbeat:${host}:`;
}

/** A heartbeat older than this many intervals means the worker is stuck or gone. */
const STALE_AFTER_INTERVALS = 3;

export function startHeartbeat(redis: Redis, prefix: string, intervalMs: number): { stop(): Promise<void> } {
  const key = `${keyPrefix(prefix)}${process.pid}`;
  const beat = () => redis.set(key, String(Date.now()), "PX", intervalMs * STALE_AFTER_INTERVALS).catch(() => undefined);
  void beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    /** Removes the key if Redis answers within a second; a worker connection would otherwise wait for Redis forever. */
    async stop() {
      clearInterval(timer);
      const removed = redis.del(key).catch(() => undefined);
      await Promise.race([removed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    },
  };
}

/** Whether a worker on this host has written its heartbeat within the last few intervals. */
export async function workerAliveOnThisHost(redis: Redis, prefix: string, intervalMs: number): Promise<boolean> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix(prefix)}*`, "COUNT", 100);
    for (const key of keys) {
      const at = Number(await redis.get(key));
      if (Date.now() - at < intervalMs * STALE_AFTER_INTERVALS) return true;
    }
    cursor = next;
  } while (cursor !== "0");
  return false;
}
