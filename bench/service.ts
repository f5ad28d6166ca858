/**
 * How fast jobs start and how many a worker pool trains (issue 12): one API
 * and 1 or 2 worker processes of a checkout against a database and queue
 * prefix of their own, on this machine.
 *   - start latency: 5-epoch XOR jobs one at a time on an idle worker;
 *     queued -> running (the job's startedAt - createdAt) and POST -> done as an
 *     SSE client reads it (from the POST to the `done` event);
 *   - throughput: 40 such jobs posted at once, trained by 1 and by 2 workers
 *     (jobs/s from the first start to the last finish), each job followed by
 *     an SSE client, and again with no watcher.
 * `npm run bench:service`. BENCH_BASELINE=<checkout> measures another build in
 * turn with this one (see bench/api-latency.ts for making one), BENCH_TSX=1
 * runs both under tsx (as `npm start` did before it ran dist/), BENCH_JOBS
 * (default 40), BENCH_SAMPLES (sequential jobs for the latency, default 15),
 * BENCH_CPU_PROF=<dir> (the API and the workers write V8 CPU profiles there, their threads' too).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { call, chooseRuntime, freePort, freshStore, processCpuMs, seedXor, serviceEnv, startProcess, stop, untilListening, type Runtime } from "./service-cluster.js";
import pg from "pg";
import { printTable } from "./table.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const adminKey = `bench-admin-${randomBytes(12).toString("hex")}`;
const backlog = Number(process.env.BENCH_JOBS ?? 40);
const samples = Number(process.env.BENCH_SAMPLES ?? 15);
/** Epochs of each XOR job (64 samples, batches of 8): 5 makes a job whose cost is nearly all the service's own. */
const epochs = Number(process.env.BENCH_EPOCHS ?? 5);

interface Cluster {
  base: string;
  /** The API's and the workers' processes. */
  children: ChildProcess[];
  headers: Record<string, string>;
  jobBody: string;
  /** Of the cluster's own database: how many of these jobs have ended. */
  endedCount(ids: string[]): Promise<number>;
  close(): Promise<void>;
}

async function startCluster(checkout: string, runtime: Runtime, workers: number): Promise<Cluster> {
  const store = await freshStore();
  const port = await freePort();
  const env = serviceEnv(store, port, adminKey);
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const children: ChildProcess[] = [startProcess(checkout, runtime, "src/server", env, profile)];
  const base = `http://127.0.0.1:${port}`;
  try {
    await untilListening(base, children[0]);
    const seeded = await seedXor(base, adminKey, "bench-service");
    const { headers } = seeded;
    const body = JSON.parse(seeded.jobBody);
    const jobBody = JSON.stringify({ ...body, training: { ...body.training, epochs } });
    for (let i = 0; i < workers; i++) children.push(startProcess(checkout, runtime, "workers/training", env, profile));
    const watcher = new pg.Client({ connectionString: store.databaseUrl });
    await watcher.connect();
    const endedCount = async (ids: string[]) =>
      (await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM "TrainingJob" WHERE "id" = ANY($1) AND "finishedAt" IS NOT NULL`, [ids])).rows[0].n;
    const close = async () => (await watcher.end(), await Promise.all(children.map(stop)), await store.drop());
    const cluster = { base, children, headers, jobBody, endedCount, close };
    // A first job waits for the workers to be up (and warm, where they keep threads warm); it is not measured.
    for (let i = 0; i < workers; i++) await followToDone(cluster, (await call(base, "POST", "/v1/jobs", headers, jobBody)).id);
    return cluster;
  } catch (error) {
    await Promise.all(children.map(stop));
    await store.drop();
    throw error;
  }
}

/** Reads the job's event stream until its `done` event. */
async function followToDone(cluster: Cluster, jobId: string): Promise<void> {
  const res = await fetch(`${cluster.base}/v1/jobs/${jobId}/events`, { headers: { authorization: cluster.headers.authorization, accept: "text/event-stream" } });
  if (!res.ok || !res.body) throw new Error(`events of ${jobId}: ${res.status}`);
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of res.body) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    if (/^event: done$/m.test(text)) break;
  }
  if (!/^event: done$/m.test(text)) throw new Error(`the stream of ${jobId} ended without done`);
  const job = await call(cluster.base, "GET", `/v1/jobs/${jobId}`, cluster.headers);
  if (job.status !== "succeeded") throw new Error(`job ${jobId} ${job.status}`);
}

const percent = (share: number) => `${(100 * share).toFixed(0)}%`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function latency(cluster: Cluster): Promise<{ queuedToRunning: number[]; postToDone: number[] }> {
  const queuedToRunning: number[] = [];
  const postToDone: number[] = [];
  for (let i = 0; i < samples; i++) {
    const posted = performance.now();
    const { id } = await call(cluster.base, "POST", "/v1/jobs", cluster.headers, cluster.jobBody);
    await followToDone(cluster, id);
    postToDone.push(performance.now() - posted);
    const job = await call(cluster.base, "GET", `/v1/jobs/${id}`, cluster.headers);
    queuedToRunning.push(Date.parse(job.startedAt) - Date.parse(job.createdAt));
  }
  return { queuedToRunning, postToDone };
}

/** Busy and total jiffies of all cores so far (/proc/stat), for the machine's load during a run. */
function cpuTimes(cluster: Cluster): { busy: number; total: number; api: number; workers: number; bench: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const [api, ...workers] = cluster.children.map((child) => processCpuMs(child) / 10);
  const { user, system } = process.cpuUsage();
  return { busy: total - fields[3] - fields[4], total, api, workers: workers.reduce((a, b) => a + b, 0), bench: (user + system) / 1e4 };
}

interface Throughput {
  jobsPerSecond: number;
  /** Share of the machine's cores busy meanwhile. */
  load: number;
  /** CPU ms per job of the API, the workers, this bench (the client), and the rest (Postgres, Redis, other processes). */
  perJob: { api: number; workers: number; bench: number; rest: number };
}

/**
 * `watched`: every job is followed to its end by an SSE client, as the
 * latency test does (the API then also serves 40 streams); else the bench
 * only counts ended jobs in the database every 10 ms, so that the cores go to
 * the service's own work: what a pool of workers trains, without its watchers.
 */
async function throughput(cluster: Cluster, watched: boolean): Promise<Throughput> {
  const before = cpuTimes(cluster);
  const ids: string[] = [];
  for (let i = 0; i < backlog; i++) ids.push((await call(cluster.base, "POST", "/v1/jobs", cluster.headers, cluster.jobBody)).id);
  if (watched) {
    // A project may hold 100 open streams: follow them 50 at a time (a stream opened after its job ended replays to done).
    for (let i = 0; i < ids.length; i += 50) await Promise.all(ids.slice(i, i + 50).map((id) => followToDone(cluster, id)));
  } else {
    while ((await cluster.endedCount(ids)) < ids.length) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const jobs = await Promise.all(ids.map((id) => call(cluster.base, "GET", `/v1/jobs/${id}`, cluster.headers)));
  const first = Math.min(...jobs.map((job) => Date.parse(job.startedAt)));
  const last = Math.max(...jobs.map((job) => Date.parse(job.finishedAt)));
  const after = cpuTimes(cluster);
  const ms = (key: "api" | "workers" | "bench" | "busy") => ((after[key] - before[key]) * 10) / backlog;
  // /proc/stat's busy time sums all cores, as the processes' times do.
  const perJob = { api: ms("api"), workers: ms("workers"), bench: ms("bench"), rest: ms("busy") - ms("api") - ms("workers") - ms("bench") };
  return { jobsPerSecond: backlog / ((last - first) / 1000), load: (after.busy - before.busy) / (after.total - before.total), perJob };
}

async function main(): Promise<void> {
  const builds = [{ name: "this checkout", root }];
  if (process.env.BENCH_BASELINE) builds.unshift({ name: "baseline", root: resolve(process.env.BENCH_BASELINE) });
  const latencyRows: (string | number)[][] = [];
  const throughputRows: (string | number)[][] = [];
  for (const build of builds) {
    const runtime = chooseRuntime(build.root);
    const label = `${build.name} (${runtime.label})`;
    const one = await startCluster(build.root, runtime, 1);
    try {
      const { queuedToRunning, postToDone } = await latency(one);
      latencyRows.push([label, median(queuedToRunning), percentile(queuedToRunning, 90), Math.max(...queuedToRunning), median(postToDone).toFixed(0), percentile(postToDone, 90).toFixed(0), Math.max(...postToDone).toFixed(0)]);
      const single = { watched: await throughput(one, true), unwatched: await throughput(one, false) };
      await one.close();
      const two = await startCluster(build.root, runtime, 2);
      try {
        const double = { watched: await throughput(two, true), unwatched: await throughput(two, false) };
        const cpu = (t: Throughput) => `${t.perJob.api.toFixed(1)} / ${t.perJob.workers.toFixed(1)} / ${t.perJob.bench.toFixed(1)} / ${t.perJob.rest.toFixed(1)}`;
        for (const watch of ["watched", "unwatched"] as const) {
          const [a, b] = [single[watch], double[watch]];
          throughputRows.push([label, watch === "watched" ? "each by SSE" : "none", a.jobsPerSecond.toFixed(1), percent(a.load), cpu(a), b.jobsPerSecond.toFixed(1), percent(b.load), cpu(b), `${(b.jobsPerSecond / a.jobsPerSecond).toFixed(2)}x`]);
        }
      } finally {
        await two.close();
      }
    } catch (error) {
      await one.close().catch(() => undefined);
      throw error;
    }
  }
  printTable(
    `Job start on an idle worker: ${samples} ${epochs}-epoch XOR jobs one at a time (ms; queued -> running from the job's createdAt and startedAt; POST -> done as an SSE client reads it)`,
    ["build", "queued->running p50", "p90", "max", "POST->done p50", "p90", "max"],
    latencyRows,
  );
  printTable(`Throughput: ${backlog} ${epochs}-epoch XOR jobs posted at once (jobs/s, first start to last finish; "rest" is Postgres, Redis and any other process on the machine)`, ["build", "watchers", "1 worker", "machine busy", "CPU ms/job: API / workers / client / rest", "2 workers", "machine busy", "CPU ms/job", "2 / 1"], throughputRows);
}

await main();
