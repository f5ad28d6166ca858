import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createDatabase, type Database } from "../../src/db/client.js";
import { deleteKeys, redisUrl as defaultRedisUrl } from "./context.js";
import { createTestDatabase } from "./postgres.js";
import { connectionRefused, freePort, startProcess, waitFor, type ServiceProcess } from "./processes.js";

/**
 * The API and worker processes as in production, on a database and a queue
 * prefix of their own, with short lock and stalled intervals so that
 * recovery tests run in seconds.
 */
export interface Cluster {
  base: string;
  api: ServiceProcess;
  workers: ServiceProcess[];
  db: Database;
  env: Record<string, string>;
  startWorker(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  /** Kills every worker started so far (between tests, so each starts with none). */
  stopWorkers(): Promise<void>;
  /** Every process's output, for a failing test's message. */
  output(): string;
  close(): Promise<void>;
}

export const fastRecovery = {
  WORKER_LOCK_DURATION_MS: "1500",
  WORKER_STALLED_INTERVAL_MS: "500",
  RECONCILE_INTERVAL_MS: "1000",
  SHUTDOWN_DEADLINE_MS: "5000",
};

export async function startCluster({ workers = 1, env = {}, redisUrl = defaultRedisUrl } = {}): Promise<Cluster> {
  const database = await createTestDatabase();
  const port = await freePort();
  const queuePrefix = `descent-cluster-${randomBytes(4).toString("hex")}`;
  const fullEnv = { DATABASE_URL: database.url, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, PORT: String(port), ...fastRecovery, ...env };
  const base = `http://127.0.0.1:${port}`;
  const api = startProcess("src/server.ts", fullEnv);
  const db = createDatabase(database.url, { poolSize: 3 });
  const started: ServiceProcess[] = [];

  const cluster: Cluster = {
    base,
    api,
    workers: started,
    db,
    env: fullEnv,
    async startWorker(extraEnv = {}) {
      const worker = startProcess("workers/training.ts", { ...fullEnv, ...extraEnv, LOG_LEVEL: "info" });
      started.push(worker);
      await waitFor(async () => (worker.output().includes("worker ready") ? true : undefined), { what: "a worker to be ready", timeoutMs: 20_000 });
      return worker;
    },
    async stopWorkers() {
      await Promise.all(started.splice(0).map((worker) => worker.stop("SIGKILL")));
    },
    output: () => [`--- api ---\n${api.output()}`, ...started.map((w, i) => `--- worker ${i} ---\n${w.output()}`)].join("\n"),
    async close() {
      await Promise.all([api.stop(), ...started.map((w) => w.stop("SIGKILL"))]);
      await db.$disconnect();
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, `${queuePrefix}:*`).catch(() => undefined);
      redis.disconnect();
      await database.drop();
    },
  };
  await waitFor(async () => ((await fetch(`${base}/health/live`)).ok ? true : undefined), { what: "the API", timeoutMs: 20_000, expectedError: connectionRefused });
  for (let i = 0; i < workers; i++) await cluster.startWorker();
  return cluster;
}

export async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls the job until `predicate` holds for it. */
export async function waitForJob(cluster: Cluster, jobId: string, predicate: (job: any) => boolean, what: string, timeoutMs = 150_000) {
  return waitFor(
    async () => {
      const { body } = await call(cluster.base, "GET", `/v1/jobs/${jobId}`);
      return predicate(body) ? body : undefined;
    },
    { what, timeoutMs, intervalMs: 100 },
  ).catch((error) => {
    throw new Error(`${error.message}\n${cluster.output()}`);
  });
}

/** A seeded synthetic classification dataset, big enough that an epoch takes a while. */
export function syntheticDataset(numSamples: number, numFeatures: number, numClasses: number, seed = 1) {
  let state = seed >>> 0;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < numSamples; i++) {
    const label = i % numClasses;
    features.push(Array.from({ length: numFeatures }, (_, j) => (j % numClasses === label ? 1 : 0) + random() - 0.5));
    labels.push(label);
  }
  return { name: "synthetic", features, labels, classNames: Array.from({ length: numClasses }, (_, k) => `c${k}`) };
}
