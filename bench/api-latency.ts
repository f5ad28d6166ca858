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
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { call, chooseRuntime, freePort, freshStore, processCpuMs, seedXor, serviceEnv, startProcess, stop, untilListening } from "./service-cluster.js";
import { pacedLoad, type PacedRequest } from "./paced-load.js";
import { printTable } from "./table.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rates = (process.env.BENCH_RATES ?? "100,500").split(",").map(Number);
/** Projects the requests take turns in: 1 puts every submission behind one project's lock. */
const projects = Number(process.env.BENCH_PROJECTS ?? 1);
const routes = (process.env.BENCH_ROUTES ?? "GET,POST").split(",");
const adminKey = `bench-admin-${randomBytes(12).toString("hex")}`;
/** Enough sockets that a connection waiting on a slow answer does not hold back the target rate. */
const CONNECTIONS = 64;
/**
 * autocannon gives each connection a per-second budget that it sends back to
 * back at the start of every second, so its latencies are those of bursts as
 * large as its connection count: 64 (our paced load's socket pool) and 10
 * (autocannon's default). A bare Fastify route answering {ok:true} reads p99
 * 11-17 ms over 64 here and 1 ms over 10 (measured 2026-12-04).
 */
const AUTOCANNON_CONNECTIONS = [64, 10];

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
  rows.sort(
    (x, y) =>
      String(x[2]).localeCompare(String(y[2])) || String(x[3]).localeCompare(String(y[3])) || Number(x[4]) - Number(y[4]) || String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1]),
  );
  printTable(
    `API latency (${[...labels].join("; ")}), ${projects} project(s) taking turns, over ${CONNECTIONS} connections, ${seconds} s per row. "autocannon xN": its overallRate over N connections, each sending its share of a second back to back at the start of the second (bursts of N); "paced": the same rate evenly spaced, latency from each request's due time (bench/paced-load.ts). The load generator shares this machine's cores with the API. GET /health/live touches neither Postgres nor Redis: the machine's floor`,
    ["build", "round", "route", "load", "target req/s", "achieved req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors+timeouts", "API CPU ms/req"],
    rows,
  );
}

/** Starts the API of the checkout at `apiRoot` against a fresh database and queue prefix, and measures every route at every rate. */
async function measureBuild(apiRoot: string): Promise<{ label: string; measured: Row[] }> {
  const store = await freshStore();
  let api: ChildProcess | undefined;
  try {
    const port = await freePort();
    const runtime = chooseRuntime(apiRoot);
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    api = startProcess(
      apiRoot,
      runtime,
      "src/server",
      // No worker drains the queue: the limits let every submission of the run stay queued, at any rate.
      serviceEnv(store, port, adminKey),
      profile,
    );
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
        for (const connections of AUTOCANNON_CONNECTIONS) {
          const cpuBefore = processCpuMs(api);
          const result = await drive(base, target, rate, seconds, connections);
          const cpuPerRequest = (processCpuMs(api) - cpuBefore) / Math.max(1, result.requests.total);
          const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
          measured.push([
            target.name,
            `autocannon x${connections}`,
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
        const pacedCpuBefore = processCpuMs(api);
        const paced = await pacedLoad(base, target.requests as PacedRequest[], rate, seconds, CONNECTIONS);
        const pacedCpu = (processCpuMs(api) - pacedCpuBefore) / Math.max(1, paced.sent);
        measured.push([target.name, "paced", rate, paced.achieved.toFixed(0), paced.p50.toFixed(1), paced.p99.toFixed(1), paced.max.toFixed(1), paced.non2xx, paced.errors, pacedCpu.toFixed(2)]);
      }
    }
    return { label: runtime.label, measured };
  } finally {
    if (api) await stop(api);
    await store.drop();
  }
}

/** A project, its key, an XOR dataset, a job body that fits it, and a first job. */
async function seed(base: string, index: number) {
  const { headers, jobBody } = await seedXor(base, adminKey, `bench-${index}`);
  const first = await call(base, "POST", "/v1/jobs", headers, jobBody);
  return { headers, jobBody, firstJobId: first.id };
}

/**
 * autocannon at `rate` over `connections` sockets. Its latency correction for
 * coordinated omission is off: with a rate it records each answer with an
 * expected interval of ceil(1 / per-connection rate) = 1 ms (a rate per second
 * taken as an interval in ms, lib/run.js), so an answer of N ms counted as N
 * samples from 1 to N ms; the paced rows measure from due times instead.
 */
function drive(base: string, target: Target, rate: number, duration: number, connections = CONNECTIONS): Promise<autocannon.Result> {
  return autocannon({ url: base, connections, overallRate: rate, duration, timeout: 10, requests: target.requests, ignoreCoordinatedOmission: true });
}

await main();
