/**
 * Memory and time of a CSV dataset upload (parseCsvDataset) on a generated
 * file of ~100 MB: 300k rows x 50 numeric columns + a categorical label.
 * Each measurement runs in a fresh child process, so its baseline RSS is that
 * of an idle process with the parser loaded. RSS is sampled every 20 ms.
 * CPU s (user + system of the whole process, GC included) is the steadier
 * figure on a loaded machine; parse s is wall time.
 * Run with `npx tsx bench/csv-upload.ts`; CSV_BENCH_ROWS=30000,300000 sets the sizes.
 * Prints a table, asserts nothing.
 */
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCsvDataset } from "../src/services/csv-dataset.js";
import { printTable } from "./table.js";

const COLUMNS = 50;
const CLASSES = ["setosa", "versicolor", "virginica", "other", "unknown"];
const MB = 1024 * 1024;

interface Measurement {
  rows: number;
  numFeatures: number;
  numClasses: number;
  parseMs: number;
  cpuMs: number;
  baselineRss: number;
  peakRss: number;
  peakHeapUsed: number;
  peakArrayBuffers: number;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--measure") {
    process.stdout.write(JSON.stringify(await measure(process.argv[3])) + "\n");
    return;
  }
  const sizes = (process.env.CSV_BENCH_ROWS ?? "30000,300000").split(",").map(Number);
  console.log(`parseCsvDataset on generated CSVs (${COLUMNS} numeric columns + a categorical label), node ${process.version}`);
  const rows: (string | number)[][] = [];
  for (const count of sizes) {
    const file = await generate(count);
    const size = statSync(file).size;
    const m = await inChild(file);
    const growth = m.peakRss - m.baselineRss;
    rows.push([
      `${count} x ${COLUMNS}`,
      (size / MB).toFixed(1),
      m.rows,
      (m.parseMs / 1000).toFixed(2),
      (m.cpuMs / 1000).toFixed(2),
      (size / MB / (m.parseMs / 1000)).toFixed(1),
      (m.baselineRss / MB).toFixed(0),
      (m.peakRss / MB).toFixed(0),
      (growth / MB).toFixed(0),
      (growth / size).toFixed(2),
      (m.peakHeapUsed / MB).toFixed(0),
      (m.peakArrayBuffers / MB).toFixed(0),
      ((m.rows * (m.numFeatures + 1) * 4) / MB).toFixed(1),
    ]);
  }
  printTable(
    "CSV upload: streamed from fs.createReadStream",
    ["rows x columns", "file MB", "rows", "parse s", "CPU s", "MB/s", "baseline RSS MB", "peak RSS MB", "peak - baseline MB", "(peak - baseline) / file", "peak JS heap MB", "peak ArrayBuffers MB", "float32 result MB"],
    rows,
  );
}

/** Runs one measurement in a fresh process (same tsx loader), with the GC exposed. */
function inChild(file: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", ...process.execArgv, fileURLToPath(import.meta.url), "--measure", file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`measurement exited with ${code}`))));
  });
}

async function measure(file: string): Promise<Measurement> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeapUsed = 0;
  let peakArrayBuffers = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
  };
  const timer = setInterval(sample, 20);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const dataset = await parseCsvDataset(createReadStream(file), { label: "label", name: "bench" });
  const parseMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  sample();
  clearInterval(timer);
  return {
    rows: dataset.numSamples,
    numFeatures: dataset.numFeatures,
    numClasses: dataset.classNames.length,
    parseMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRss,
    peakRss,
    peakHeapUsed,
    peakArrayBuffers,
  };
}

/** Writes the CSV once per size to the temp directory (deterministic content), reusing it afterwards. */
async function generate(count: number): Promise<string> {
  const file = join(tmpdir(), `descent-csv-bench-${count}x${COLUMNS}.csv`);
  if (existsSync(file)) return file;
  let seed = 12345;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write([...Array.from({ length: COLUMNS }, (_, j) => `x${j}`), "label"].join(",") + "\n");
  for (let i = 0; i < count; i += 1000) {
    let batch = "";
    for (let r = i; r < Math.min(count, i + 1000); r++) {
      const values = Array.from({ length: COLUMNS }, () => (next() * 20 - 10).toFixed(3));
      batch += `${values.join(",")},${CLASSES[Math.floor(next() * CLASSES.length)]}\n`;
    }
    await write(batch);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(partial, file);
  return file;
}

await main();
