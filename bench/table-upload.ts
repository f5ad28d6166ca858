/**
 * A mixed-type CSV uploaded as a user would: streamed over HTTP to a real API
 * process (src/server.ts, against local Postgres and Redis, its own database),
 * `POST /v1/datasets?label=segment`, until the 201. Per size, a fresh API
 * process; its memory is read from /proc: VmRSS when idle before the upload,
 * VmHWM (the kernel's exact peak resident set) after it. Also what the stored
 * dataset takes in Postgres.
 * Run with `npx tsx bench/table-upload.ts` (or `npm run bench:upload`);
 * UPLOAD_BENCH_ROWS=85000,850000 sets the sizes (850k rows is ~100 MB).
 * Prints a table, asserts nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { deployMigrations, dropDatabase, ensureDatabase } from "../src/db/migrations.js";
import { mixedCsvFile } from "./mixed-csv.js";
import { printTable } from "./table.js";

const MB = 1024 * 1024;
const server = process.env.BENCH_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432/postgres";

interface Upload {
  rows: number;
  fileMb: number;
  status: number;
  seconds: number;
  idleRssMb: number;
  peakRssMb: number;
  storedMb: number;
  columns: string;
}

async function main(): Promise<void> {
  const sizes = (process.env.UPLOAD_BENCH_ROWS ?? "85000,850000").split(",").map(Number);
  console.log(`CSV upload through the API (HTTP, streamed), node ${process.version}`);
  const results: Upload[] = [];
  for (const rows of sizes) results.push(await uploadOnce(rows, await mixedCsvFile(rows)));
  printTable(
    "POST /v1/datasets?label=segment with a generated mixed-type CSV (11 columns: numbers, missing values, categories, booleans, dates, datetimes, text, ids)",
    ["rows", "file MB", "status", "upload s", "MB/s", "API idle RSS MB", "API peak RSS MB", "peak - idle MB", "(peak - idle) / file", "stored MB"],
    results.map((r) => [
      r.rows,
      r.fileMb.toFixed(1),
      r.status,
      r.seconds.toFixed(2),
      (r.fileMb / r.seconds).toFixed(1),
      r.idleRssMb.toFixed(0),
      r.peakRssMb.toFixed(0),
      (r.peakRssMb - r.idleRssMb).toFixed(0),
      ((r.peakRssMb - r.idleRssMb) / r.fileMb).toFixed(2),
      r.storedMb.toFixed(1),
    ]),
  );
  for (const r of results) console.log(`${r.rows} rows: ${r.columns}`);
}

async function uploadOnce(rows: number, file: string): Promise<Upload> {
  const fileBytes = statSync(file).size;
  const databaseUrl = new URL(server);
  const database = `descent_bench_upload_${randomBytes(4).toString("hex")}`;
  databaseUrl.pathname = `/${database}`;
  await ensureDatabase(databaseUrl.toString());
  await deployMigrations(databaseUrl.toString());
  const api = await startApi(databaseUrl.toString(), fileBytes);
  try {
    const idleRssMb = procStatusMb(api.process.pid!, "VmRSS");
    const started = performance.now();
    const response = await streamUpload(api.port, file);
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = procStatusMb(api.process.pid!, "VmHWM");
    const body = JSON.parse(response.body) as { columns?: { name: string; type: string }[] };
    return {
      rows,
      fileMb: fileBytes / MB,
      status: response.status,
      seconds,
      idleRssMb,
      peakRssMb,
      storedMb: (await storedBytes(databaseUrl.toString())) / MB,
      columns: body.columns?.map((c) => `${c.name}: ${c.type}`).join(", ") ?? response.body.slice(0, 300),
    };
  } finally {
    api.process.kill("SIGTERM");
    await new Promise((resolve) => api.process.once("exit", resolve));
    await dropDatabase(server, database);
  }
}

/** The API alone (no worker), on a free port, with a dataset body limit that lets the file in. */
async function startApi(databaseUrl: string, fileBytes: number): Promise<{ process: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      DESCENT_AUTH: "off",
      LOG_LEVEL: "info",
      QUEUE_PREFIX: `descent-bench-${randomBytes(4).toString("hex")}`,
      DATASET_BODY_LIMIT: String(Math.max(fileBytes + MB, 128 * MB)),
      MAX_DATASET_ROWS: "10000000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      // src/server.ts prints "descent api: http://HOST:PORT (...)" once it listens.
      const listening = /descent api: http:\/\/\S+:(\d+)/.exec(seen);
      if (listening) resolve(Number(listening[1]));
    });
    child.once("exit", (code) => reject(new Error(`the API exited with ${code} before listening:\n${seen}`)));
  });
  child.stdout!.resume();
  return { process: child, port };
}

function streamUpload(port: number, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/datasets?label=segment&name=bench", headers: { "content-type": "text/csv" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    createReadStream(file).pipe(req);
  });
}

function procStatusMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN) / 1024;
}

async function storedBytes(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(`SELECT pg_total_relation_size('"Dataset"') AS bytes`);
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

await main();
