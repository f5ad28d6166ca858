// Environment -> typed configuration, validated once at start so a bad value
// fails loudly before anything listens or connects.

import { availableParallelism } from "node:os";
import { resolve } from "node:path";

export interface Config {
  /** @defaultValue "development" */
  nodeEnv: string;
  /** @defaultValue postgresql://postgres@127.0.0.1:5432/descent */
  databaseUrl: string;
  /** @defaultValue redis://127.0.0.1:6379 */
  redisUrl: string;
  /** @defaultValue 3000 */
  port: number;
  /** @defaultValue "127.0.0.1" */
  host: string;
  /** @defaultValue "info" */
  logLevel: string;
  /** Redis key prefix of the BullMQ queues; tests use one per file. @defaultValue "descent" */
  queuePrefix: string;
  /** Body limit of ordinary routes, in bytes. @defaultValue 1 MiB */
  bodyLimit: number;
  /** Body limit of dataset uploads, in bytes: a 100 MB CSV fits (parsing it peaks near 7x its size, bench/table-upload.ts). @defaultValue 128 MiB */
  datasetBodyLimit: number;
  /** Body limit of predictions, in bytes. @defaultValue 4 MiB */
  predictBodyLimit: number;
  /** Longest a database statement of the API may run, in ms (then 503); see createDatabase. @defaultValue 15000 */
  databaseStatementTimeoutMs: number;
  /** Threads of the API that run predictions. @defaultValue 1 */
  predictThreads: number;
  /** A prediction running longer than this is stopped (503), in ms. @defaultValue 10000 */
  predictTimeoutMs: number;
  /** How many jobs one worker process trains at once. @defaultValue 1 */
  workerConcurrency: number;
  /** Threads one job's large products are split over (its training thread included). @defaultValue the cores / workerConcurrency, at least 1 */
  workerThreadsPerJob: number;
  /** BullMQ lock duration of a training job, in ms; a dead worker's job is taken over after about this plus the stalled interval. @defaultValue 15000 */
  workerLockDurationMs: number;
  /** How often workers look for stalled jobs, in ms. @defaultValue 5000 */
  workerStalledIntervalMs: number;
  /** Stalls a job survives before it fails with STALLED_TOO_OFTEN. @defaultValue 2 */
  workerMaxStalledCount: number;
  /** How often a worker writes its heartbeat to Redis (for health checks), in ms. @defaultValue 5000 */
  workerHeartbeatIntervalMs: number;
  /** How often workers look for jobs the queue lost, in ms. @defaultValue 60000 */
  reconcileIntervalMs: number;
  /** How long a process may take to stop after SIGTERM, in ms. @defaultValue 10000 */
  shutdownDeadlineMs: number;
  /** "on" (default): every /v1 request needs an API key. "off": local development only, all in the default project. */
  auth: "on" | "off";
  /** Bearer key of the admin routes (POST /v1/projects); unset: no admin routes. */
  adminKey: string | undefined;
  /**
   * How long an API process trusts an API key it verified without asking Postgres again, in ms
   * (a revocation still takes effect at once: see src/services/verified-key-cache.ts); 0: never. @defaultValue 60000
   */
  apiKeyCacheTtlMs: number;
  limits: Limits;
  /** How often workers look for sweeps whose trials ended, to start the next ones, in ms. @defaultValue 200 */
  sweepPollIntervalMs: number;
  /** Checkpoints of a job's latest epochs kept (also after it ends) for forks; 0: none. @defaultValue 20 */
  checkpointsKept: number;
  webhooks: {
    /** Let webhook URLs reach loopback, private and link-local addresses (tests, closed networks). @defaultValue false */
    allowPrivateAddresses: boolean;
    /** An attempt without an answer within this is a failure, in ms. @defaultValue 5000 */
    timeoutMs: number;
    /** Attempts per delivery, the first included. @defaultValue 8 */
    maxAttempts: number;
    /** The first retry's wait, doubling after, in ms. @defaultValue 2000 */
    backoffMs: number;
    /** How often workers move new deliveries onto the queue, in ms. @defaultValue 200 */
    pollIntervalMs: number;
  };
  /** Which Postgres and Redis: "auto", "external" or "embedded" (see src/embedded/store.ts). @defaultValue "auto" */
  store: "auto" | "external" | "embedded";
  /** Where the embedded store keeps its data. @defaultValue ".descent" */
  dataDir: string;
}

export class ConfigError extends Error {}

/** Limits on what one request or project may ask for (issue: inputs that cannot hurt). */
export interface Limits {
  /** @defaultValue 64 */
  maxLayers: number;
  /** @defaultValue 10,000,000 */
  maxParameters: number;
  /** epochs x training samples of one job. @defaultValue 100,000,000 */
  maxSampleEpochs: number;
  /** Queued plus running jobs of one project. @defaultValue 20 */
  maxActiveJobsPerProject: number;
  /** Requests per second per API key. @defaultValue 50 */
  rateLimitPerSecond: number;
  /** Rows of one dataset. @defaultValue 2,000,000 */
  maxDatasetRows: number;
  /** Training FLOPs one job may ask: (forward x 3 x training samples + forward x validation samples) x epochs. @defaultValue 1e15 */
  maxJobFlops: number;
  /** Longest a job may train, in seconds (its training.timeLimitSeconds may ask for less). @defaultValue 86400 */
  maxJobSeconds: number;
  /** Event streams (GET /v1/jobs/:id/events) one project may hold open on one API process. @defaultValue 100 */
  maxEventStreamsPerProject: number;
  /** Forward FLOPs one prediction request may ask (inputs x FLOPs per input). @defaultValue 10,000,000,000 */
  maxPredictFlops: number;
}

const defaults = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/descent",
  REDIS_URL: "redis://127.0.0.1:6379",
  PORT: "3000",
  HOST: "127.0.0.1",
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    nodeEnv: env.NODE_ENV ?? "development",
    databaseUrl: url(env, "DATABASE_URL", defaults.DATABASE_URL, ["postgres:", "postgresql:"]),
    redisUrl: url(env, "REDIS_URL", defaults.REDIS_URL, ["redis:", "rediss:"]),
    port: integer(env, "PORT", Number(defaults.PORT), 0, 65535),
    host: env.HOST ?? defaults.HOST,
    logLevel: oneOf(env, "LOG_LEVEL", "info", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    queuePrefix: env.QUEUE_PREFIX ?? "descent",
    bodyLimit: integer(env, "BODY_LIMIT", 1024 * 1024, 1024, 2 ** 31),
    datasetBodyLimit: integer(env, "DATASET_BODY_LIMIT", 128 * 1024 * 1024, 1024, 2 ** 31),
    predictBodyLimit: integer(env, "PREDICT_BODY_LIMIT", 4 * 1024 * 1024, 1024, 2 ** 31),
    databaseStatementTimeoutMs: integer(env, "DATABASE_STATEMENT_TIMEOUT_MS", 15_000, 100, 3_600_000),
    predictThreads: integer(env, "PREDICT_THREADS", 1, 1, 64),
    predictTimeoutMs: integer(env, "PREDICT_TIMEOUT_MS", 10_000, 100, 600_000),
    workerConcurrency: integer(env, "WORKER_CONCURRENCY", 1, 1, 64),
    workerThreadsPerJob: integer(env, "WORKER_THREADS_PER_JOB", Math.max(1, Math.floor(availableParallelism() / integer(env, "WORKER_CONCURRENCY", 1, 1, 64))), 1, 64),
    workerLockDurationMs: integer(env, "WORKER_LOCK_DURATION_MS", 15_000, 100, 3_600_000),
    workerStalledIntervalMs: integer(env, "WORKER_STALLED_INTERVAL_MS", 5_000, 100, 3_600_000),
    workerMaxStalledCount: integer(env, "WORKER_MAX_STALLED_COUNT", 2, 0, 100),
    workerHeartbeatIntervalMs: integer(env, "WORKER_HEARTBEAT_INTERVAL_MS", 5_000, 50, 600_000),
    reconcileIntervalMs: integer(env, "RECONCILE_INTERVAL_MS", 60_000, 100, 3_600_000),
    shutdownDeadlineMs: integer(env, "SHUTDOWN_DEADLINE_MS", 10_000, 1_000, 600_000),
    auth: authMode(env),
    adminKey: adminKey(env),
    apiKeyCacheTtlMs: integer(env, "API_KEY_CACHE_TTL_MS", 60_000, 0, 3_600_000),
    limits: {
      maxLayers: integer(env, "MAX_LAYERS", 64, 1, 64),
      maxParameters: integer(env, "MAX_PARAMETERS", 10_000_000, 1, 2 ** 31),
      maxSampleEpochs: integer(env, "MAX_SAMPLE_EPOCHS", 100_000_000, 1, 2 ** 50),
      maxActiveJobsPerProject: integer(env, "MAX_ACTIVE_JOBS_PER_PROJECT", 20, 1, 100_000),
      rateLimitPerSecond: integer(env, "RATE_LIMIT_PER_SECOND", 50, 1, 1_000_000),
      maxDatasetRows: integer(env, "MAX_DATASET_ROWS", 2_000_000, 1, 2 ** 31),
      maxPredictFlops: integer(env, "MAX_PREDICT_FLOPS", 10_000_000_000, 1, 2 ** 53),
      maxEventStreamsPerProject: integer(env, "MAX_EVENT_STREAMS_PER_PROJECT", 100, 1, 100_000),
      maxJobFlops: integer(env, "MAX_JOB_FLOPS", 1e15, 1, 2 ** 60),
      maxJobSeconds: integer(env, "MAX_JOB_SECONDS", 86_400, 1, 365 * 86_400),
    },
    sweepPollIntervalMs: integer(env, "SWEEP_POLL_INTERVAL_MS", 200, 10, 60_000),
    checkpointsKept: integer(env, "CHECKPOINTS_KEPT", 20, 0, 100_000),
    webhooks: {
      allowPrivateAddresses: oneOf(env, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "false", ["true", "false"]) === "true",
      timeoutMs: integer(env, "WEBHOOK_TIMEOUT_MS", 5_000, 100, 60_000),
      maxAttempts: integer(env, "WEBHOOK_MAX_ATTEMPTS", 8, 1, 50),
      backoffMs: integer(env, "WEBHOOK_BACKOFF_MS", 2_000, 10, 3_600_000),
      pollIntervalMs: integer(env, "WEBHOOK_POLL_INTERVAL_MS", 200, 10, 60_000),
    },
    store: storeMode(env),
    dataDir: resolve(env.DESCENT_DATA_DIR || ".descent"),
  };
}

function authMode(env: NodeJS.ProcessEnv): Config["auth"] {
  const auth = oneOf(env, "DESCENT_AUTH", "on", ["on", "off"]) as Config["auth"];
  if (auth === "off" && env.NODE_ENV === "production") {
    throw new ConfigError("DESCENT_AUTH=off is for local development only; NODE_ENV=production needs API keys");
  }
  return auth;
}

function adminKey(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.DESCENT_ADMIN_KEY;
  if (key === undefined || key === "") return undefined;
  if (key.length < 16) throw new ConfigError("DESCENT_ADMIN_KEY must be at least 16 characters");
  return key;
}

function storeMode(env: NodeJS.ProcessEnv): Config["store"] {
  const store = oneOf(env, "DESCENT_STORE", "auto", ["auto", "external", "embedded"]) as Config["store"];
  if (store === "embedded" && env.NODE_ENV === "production") {
    throw new ConfigError("DESCENT_STORE=embedded is not for production (NODE_ENV=production): run real Postgres and Redis and set DATABASE_URL and REDIS_URL");
  }
  return store;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string, protocols: string[]): string {
  const value = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(" or ")}//, got ${parsed.protocol}//`);
  }
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf(env: NodeJS.ProcessEnv, name: string, fallback: string, allowed: string[]): string {
  const value = env[name] || fallback;
  if (!allowed.includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return value;
}

/** host:port of a connection URL, for messages that must not print credentials. */
export function describeEndpoint(connectionUrl: string): string {
  const parsed = new URL(connectionUrl);
  const defaultPort = parsed.protocol.startsWith("redis") ? "6379" : "5432";
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}
