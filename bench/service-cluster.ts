// Processes of descent for the service benchmarks (bench/api-latency.ts,
// bench/service.ts): a fresh database and queue prefix, the API and workers of
// a checkout, compiled (what npm start and the Dockerfile run) or under tsx.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { deployMigrations } from "../src/db/migrations.js";

export const postgresServer = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Runtime {
  label: string;
  /** Node's arguments to run `source` (a path without extension, e.g. "src/server") of the checkout. */
  args(source: string): string[];
}

/** Compiled JavaScript when `npm run build` works in `root` (unless BENCH_TSX=1), else the TypeScript under tsx. */
export function chooseRuntime(root: string): Runtime {
  if (process.env.BENCH_TSX !== "1") {
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (build.status === 0 && existsSync(join(root, "dist/src/server.js"))) return { label: "compiled (dist/)", args: (source) => [join(root, `dist/${source}.js`)] };
    console.error(`npm run build failed in ${root} (${build.status}); running under tsx instead:\n${build.stderr.slice(0, 2000)}`);
  }
  return { label: "under tsx", args: (source) => ["--import", "tsx", join(root, `${source}.ts`)] };
}

/** A database of its own (migrated) and a queue prefix of its own; `drop()` removes both. */
export async function freshStore(): Promise<{ databaseUrl: string; queuePrefix: string; drop(): Promise<void> }> {
  const dbName = `descent_bench_${randomBytes(4).toString("hex")}`;
  const queuePrefix = `descent-bench-${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresServer });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = Object.assign(new URL(postgresServer), { pathname: `/${dbName}` }).toString();
  await deployMigrations(databaseUrl);
  return {
    databaseUrl,
    queuePrefix,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
      await deleteKeys(queuePrefix);
    },
  };
}

/** The environment of a benchmarked API or worker: production, on `store`, its limits out of the way of the load. */
export function serviceEnv(store: { databaseUrl: string; queuePrefix: string }, port: number, adminKey: string): Record<string, string> {
  return {
    DATABASE_URL: store.databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: store.queuePrefix,
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    DESCENT_STORE: "external",
    DESCENT_ADMIN_KEY: adminKey,
    MAX_ACTIVE_JOBS_PER_PROJECT: "100000",
    RATE_LIMIT_PER_SECOND: "1000000",
  };
}

/** User + system CPU time of a process and its threads so far (Linux /proc), in ms. */
export function processCpuMs(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), counted from 1, in clock ticks (sysconf(_SC_CLK_TCK): 100 on Linux); fields[0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts `source` of the checkout at `root`; stdout is dropped (written as in production, not read), stderr shown. */
export function startProcess(root: string, runtime: Runtime, source: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, ...runtime.args(source)], { cwd: root, env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "ignore", "inherit"] });
}

export async function untilListening(base: string, api: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (api.exitCode !== null) throw new Error(`the API exited with code ${api.exitCode} before listening`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the API did not become ready within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SIGINT (a clean stop, so --cpu-prof writes its profile), SIGKILL after 15 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGINT");
  });
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** JSON of a successful request; throws with the answer otherwise. */
export async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A project (through the admin key), its key's headers, an XOR dataset, and the body of a 5-epoch job on it. */
export async function seedXor(base: string, adminKey: string, name: string): Promise<{ headers: Record<string, string>; jobBody: string }> {
  const project = await call(base, "POST", "/v1/projects", { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, JSON.stringify({ name }));
  const headers = { authorization: `Bearer ${project.apiKey}`, "content-type": "application/json" };
  const features = Array.from({ length: 64 }, (_, i) => [(i >> 1) & 1, i & 1]);
  const labels = features.map(([a, b]) => (a ^ b ? "yes" : "no"));
  const dataset = await call(base, "POST", "/v1/datasets", headers, JSON.stringify({ name: "xor", features, labels }));
  const jobBody = JSON.stringify({
    datasetId: dataset.id,
    model: {
      inputShape: [2],
      layers: [
        { type: "dense", units: 8, activation: "tanh" },
        { type: "dense", units: 2, activation: "softmax" },
      ],
    },
    training: { epochs: 5, batchSize: 8, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } },
  });
  return { headers, jobBody };
}
