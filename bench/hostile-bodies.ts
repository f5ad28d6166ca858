/**
 * Time and peak memory of the API on the worst bodies within its limits
 * (issue: hardening). Each body is sent by inject() to the API built in a
 * fresh child process, against a database of its own, so the peak RSS
 * (getrusage's maxrss) is that body's alone. Prints a table, asserts nothing.
 * Run with `npx tsx bench/hostile-bodies.ts` (needs the local Postgres and Redis).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { buildApp } from "../src/api/app.js";
import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/client.js";
import { deployMigrations } from "../src/db/migrations.js";
import { createPredictionPool } from "../src/prediction/prediction-pool.js";
import { createRedisConnection, untilReady } from "../src/queue/connection.js";
import { createTrainingQueue } from "../src/queue/training-queue.js";
import { predictionThreadEntry } from "../workers/thread-entries.js";
import { printTable } from "./table.js";

const MB = 1024 * 1024;
const server = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

interface Case {
  name: string;
  method: "POST" | "GET";
  url: string;
  contentType: string;
  body: () => string;
}

const cases: Case[] = [
  {
    name: "16M bad values in features (32 MB JSON)",
    method: "POST",
    url: "/v1/datasets",
    contentType: "application/json",
    body: () => `{"features":[[${'"x",'.repeat(16_000_000 - 1)}"x"]],"labels":[0]}`,
  },
  { name: "label 1e9 (44-byte JSON)", method: "POST", url: "/v1/datasets", contentType: "application/json", body: () => '{"features":[[0],[1]],"labels":[1000000000,1]}' },
  {
    name: "200,000 rows, integer labels (1.8 MB JSON)",
    method: "POST",
    url: "/v1/datasets",
    contentType: "application/json",
    body: () => JSON.stringify({ features: Array.from({ length: 200_000 }, (_, i) => [i % 7]), labels: Array.from({ length: 200_000 }, (_, i) => i % 3) }),
  },
  {
    name: "valid dataset at the 64 MB limit (JSON)",
    method: "POST",
    url: "/v1/datasets",
    contentType: "application/json",
    body: () => {
      const row = `[${Array.from({ length: 100 }, (_, j) => (j % 10) / 10).join(",")}]`;
      const rows = Math.floor((63 * MB) / (row.length + 1));
      return `{"features":[${Array(rows).fill(row).join(",")}],"labels":[${Array.from({ length: rows }, (_, i) => i % 2).join(",")}]}`;
    },
  },
  {
    name: "1,000,000 CSV columns (4 MB header)",
    method: "POST",
    url: "/v1/datasets?label=c0",
    contentType: "text/csv",
    body: () => `${Array.from({ length: 1_000_000 }, (_, j) => `c${j % 10}`).join(",")}\n`,
  },
  {
    name: "NUL in 1 of 10 MB of strings (JSON)",
    method: "POST",
    url: "/v1/datasets",
    contentType: "application/json",
    body: () => JSON.stringify({ features: Array.from({ length: 500_000 }, () => [0]), labels: [...Array.from({ length: 499_999 }, (_, i) => `c${i % 5}`), "x\u0000"] }),
  },
];

async function runCase(index: number): Promise<void> {
  const name = `descent_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  await deployMigrations(url.toString());
  const db = createDatabase(url.toString());
  const redis = createRedisConnection("redis://127.0.0.1:6379", "producer");
  await untilReady(redis);
  const subscriber = createRedisConnection("redis://127.0.0.1:6379", "worker");
  const prefix = `descent-bench-${randomBytes(4).toString("hex")}`;
  const queue = createTrainingQueue(redis, prefix);
  const predictions = createPredictionPool({ entry: predictionThreadEntry });
  const app = await buildApp({
    config: { ...loadConfig({ DESCENT_AUTH: "off" }), logLevel: "silent", queuePrefix: prefix },
    db,
    queue,
    redis,
    subscriber,
    predictions,
    logging: false,
  });
  await app.ready();
  const testCase = cases[index];
  const body = testCase.body();
  const baseline = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const res = await app.inject({ method: testCase.method, url: testCase.url, headers: { "content-type": testCase.contentType }, payload: body });
  const ms = performance.now() - started;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ status: res.statusCode, ms, bodyMb: Buffer.byteLength(body) / MB, baselineMb: baseline / MB, peakMb: peak / MB, detail: res.statusCode >= 400 ? res.json().detail : "" }));
  await app.close();
  await predictions.close();
  await queue.close();
  redis.disconnect();
  subscriber.disconnect();
  await db.$disconnect();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}

async function main(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < cases.length; i++) {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), String(i)], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (chunk) => (text += chunk));
      child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`case ${i} exited with ${code}`))));
    });
    const m = JSON.parse(output);
    rows.push([cases[i].name, m.bodyMb.toFixed(1), m.status, (m.ms / 1000).toFixed(2), Math.round(m.peakMb - m.baselineMb), Math.round(m.peakMb), String(m.detail).slice(0, 60)]);
  }
  printTable("The API on the worst bodies within its limits (one fresh process per body)", ["body", "MB", "status", "seconds", "RSS above start, MB", "peak RSS, MB", "detail"], rows);
}

if (process.argv[2] !== undefined) await runCase(Number(process.argv[2]));
else await main();
process.exit(0);
