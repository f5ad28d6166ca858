// Health check of a worker container: exit 0 when a worker on this host has
// written its heartbeat to Redis lately (src/queue/worker-heartbeat.ts), 1
// otherwise. docker-compose.yml runs it as `node dist/workers/healthcheck.js`.

import { Redis } from "ioredis";
import { loadConfig } from "../src/config.js";
import { workerAliveOnThisHost } from "../src/queue/worker-heartbeat.js";

const config = loadConfig();
const redis = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
redis.on("error", () => undefined);
let alive = false;
try {
  await redis.connect();
  alive = await workerAliveOnThisHost(redis, config.queuePrefix, config.workerHeartbeatIntervalMs);
} catch {
  alive = false;
} finally {
  redis.disconnect();
}
if (!alive) console.error("descent worker: no recent heartbeat from a worker on this host");
process.exit(alive ? 0 : 1);
