/**
 * Latency of GET /v1/jobs/:id and POST /v1/jobs at fixed request rates
 * (issue 12). Starts one API process of its own (compiled from dist/ when
 * `npm run build` works, else under tsx; the table says which) against a
 * database and a queue prefix of its own, creates a project and its key,
 * uploads a small dataset, then drives each route with autocannon at fixed
 * overall rates. No worker runs: submitted jobs stay queued, so the bench
 * raises the per-project job and rate limits through the API's environment.
 * The load generator runs on the same machine as the API (and shares its cores).
 *
 * `npm run bench:api`. Environment: BENCH_SECONDS (per measured run, default 10),
 * BENCH_RATES (default "100,500"), BENCH_PROJECTS (projects the requests take
 * turns in, default 1), BENCH_ROUTES (default "GET,POST": prefixes of the route
 * names), BENCH_BASELINE=<dir> (another checkout of descent, measured in turn
 * with this one in the same run, BENCH_ROUNDS times, default 2; make one with
 * `git archive <commit> | tar -x -C <dir>`, then link node_modules and copy
 * src/db/generated into it), BENCH_CPU_PROF=<dir> (the API writes a
 * V8 CPU profile there when it stops), BENCH_TSX=1 (skip the build, run under tsx).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { deployMigrations } from "../src/db/migrations.js";
import { printTable } from "./table.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const postgresServer = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rates = (process.env.BENCH_RATES ?? "100,500").split(",").map(Number);
/** Projects the requests take turns in: 1 puts every submission behind one project's lock. */
const projects = Number(process.env.BENCH_PROJECTS ?? 1);
const routes = (process.env.BENCH_ROUTES ?? "GET,POST").split(",");
const adminKey = `bench-admin-${randomBytes(12).toString("hex")}`;
/** Enough sockets that a connection waiting on a slow answer does not hold back the target rate. */
const CONNECTIONS = 64;
/** sysconf(_SC_CLK_TCK): 100 on Linux. */
const CLOCK_TICKS = 100;

interface Target {
  name: string;
  /** One per project; each connection takes them in turn. */
  requests: autocannon.Request[];
}

/** One measured row: a route at a rate, on one build. */
type Row = (string | number)[];

async function main(): Promise<void> {
  const builds = [{ name: "this checkout", root }];
  if (process.env.BENCH_BASELINE) builds.unshift({ name: "baseline", root: resolve(process.env.BENCH_BASELINE) });
  // Baseline and this checkout take turns (A B B A ...), so that a machine busier in one period does not favour either.
  const rounds = Number(process.env.BENCH_ROUNDS ?? (builds.length > 1 ? 2 : 1));
  const rows: Row[] = [];
  const labels = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
      const { label, measured } = await measureBuild(build.root);
      labels.add(`${build.name}: ${label}`);
      for (const row of measured) rows.push([build.name, round + 1, ...row]);
    }
  }
  rows.sort((x, y) => String(x[2]).localeCompare(String(y[2])) || Number(x[3]) - Number(y[3]) || String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1]));
  printTable(
    `API latency (${[...labels].join("; ")}), ${projects} project(s) taking turns, autocannon overallRate over ${CONNECTIONS} connections, ${seconds} s per row; the load generator shares this machine's cores with the API. GET /health/live touches neither Postgres nor Redis: the machine's floor`,
    ["build", "round", "route", "target req/s", "achieved req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors+timeouts", "API CPU ms/req"],
    rows,
  );
}

/** Starts the API of the checkout at `apiRoot` against a fresh database and queue prefix, and measures every route at every rate. */
async function measureBuild(apiRoot: string): Promise<{ label: string; measured: Row[] }> {
  const dbName = `descent_bench_${randomBytes(4).toString("hex")}`;
  const queuePrefix = `descent-bench-${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresServer });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = Object.assign(new URL(postgresServer), { pathname: `/${dbName}` }).toString();
  let api: ChildProcess | undefined;
  try {
    await deployMigrations(databaseUrl);
    const port = await freePort();
    const runtime = chooseRuntime(apiRoot);
    api = startApi(apiRoot, runtime, {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      DESCENT_STORE: "external",
      DESCENT_ADMIN_KEY: adminKey,
      // No worker drains the queue: let every submission of the run stay queued, at any rate.
      MAX_ACTIVE_JOBS_PER_PROJECT: "100000",
      RATE_LIMIT_PER_SECOND: "1000000",
    });
    const base = `http://127.0.0.1:${port}`;
    await untilListening(base, api);

    const tenants = [];
    for (let i = 0; i < projects; i++) tenants.push(await seed(base, i));
    const allTargets: Target[] = [
      { name: "GET /health/live", requests: [{ method: "GET", path: "/health/live" }] },
      { name: "GET /v1/jobs/:id", requests: tenants.map((t) => ({ method: "GET", path: `/v1/jobs/${t.firstJobId}`, headers: t.headers })) },
      { name: "POST /v1/jobs", requests: tenants.map((t) => ({ method: "POST", path: "/v1/jobs", headers: t.headers, body: t.jobBody })) },
    ];
    const targets = allTargets.filter((target) => routes.some((route) => target.name.startsWith(route)));

    const measured: Row[] = [];
    for (const target of targets) {
      await drive(base, target, 100, Math.min(3, seconds)); // warm-up: JIT, pools, caches
      for (const rate of rates) {
        const cpuBefore = cpuMs(api);
        const result = await drive(base, target, rate, seconds);
        const cpuPerRequest = (cpuMs(api) - cpuBefore) / Math.max(1, result.requests.total);
        const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
        measured.push([
          target.name,
          rate,
          (answered / result.duration).toFixed(0),
          result.latency.p50,
          result.latency.p99,
          result.latency.max,
          result.non2xx,
          result.errors + result.timeouts,
          cpuPerRequest.toFixed(2),
        ]);
      }
    }
    return { label: runtime.label, measured };
  } finally {
    if (api) await stop(api);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await deleteKeys(queuePrefix);
  }
}

interface Runtime {
  label: string;
  args: string[];
}

/** Compiled JavaScript when `npm run build` works (what production runs), else the TypeScript under tsx. */
function chooseRuntime(apiRoot: string): Runtime {
  if (process.env.BENCH_TSX !== "1") {
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: apiRoot, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const entry = join(apiRoot, "dist/src/server.js");
    if (build.status === 0 && existsSync(entry)) return { label: "compiled (dist/src/server.js)", args: [entry] };
    console.error(`npm run build failed in ${apiRoot} (${build.status}); running the API under tsx instead:\n${build.stderr.slice(0, 2000)}`);
  }
  return { label: "under tsx (src/server.ts)", args: ["--import", "tsx", join(apiRoot, "src/server.ts")] };
}

function startApi(apiRoot: string, runtime: Runtime, env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // Request logs go to /dev/null: written as in production (info), not read.
  return spawn(process.execPath, [...profile, ...runtime.args], { cwd: apiRoot, env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "ignore", "inherit"] });
}

async function untilListening(base: string, api: ChildProcess): Promise<void> {
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

/** A project, its key, a small dataset, a job body that fits it, and a first job. */
async function seed(base: string, index: number) {
  const project = await call(base, "POST", "/v1/projects", { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, JSON.stringify({ name: `bench-${index}` }));
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
  const first = await call(base, "POST", "/v1/jobs", headers, jobBody);
  return { headers, jobBody, firstJobId: first.id };
}

async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function drive(base: string, target: Target, rate: number, duration: number): Promise<autocannon.Result> {
  return autocannon({ url: base, connections: CONNECTIONS, overallRate: rate, duration, timeout: 10, requests: target.requests });
}

/** User + system CPU time of the API process so far (Linux /proc), in ms: steadier than latency on a shared machine. */
function cpuMs(api: ChildProcess): number {
  const stat = readFileSync(`/proc/${api.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), counted from 1; fields[0] here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function stop(api: ChildProcess): Promise<void> {
  if (api.exitCode !== null) return;
  // SIGINT lets the API close cleanly, so --cpu-prof writes its profile.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => api.kill("SIGKILL"), 15_000);
    api.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    api.kill("SIGINT");
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

await main();
