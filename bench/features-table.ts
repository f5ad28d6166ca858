/**
 * Time and memory to build a features Table (src/features) from a generated
 * ~100 MB mixed-type CSV and to infer its column types, against the same CSV
 * parsed and discarded (the parser's own cost) and parsed into rows of
 * strings kept in memory (what the table replaces). The CSV has 11 columns:
 * an id, integers, decimals with 5% missing, two categories, booleans, dates,
 * datetimes, free text with 10% missing and a unique code per row.
 * Each measurement runs in a fresh child process; peak RSS is the OS's
 * maxRSS of that process (exact, GC included), baseline its RSS before reading.
 * A last child fits a pipeline on 90% of the rows and transforms them (times only).
 * Run with `npx tsx bench/features-table.ts`; FEATURES_BENCH_ROWS=850000 sets the size.
 * Prints a table, asserts nothing.
 */
import { spawn } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse";
import { encodeTable, fitPipeline, inferColumnTypes, splitRows, TableBuilder, transformTable } from "../src/features/index.js";
import { mixedCsvFile } from "./mixed-csv.js";
import { printTable } from "./table.js";

const MB = 1024 * 1024;
const SCENARIOS = ["parse only", "rows of strings", "features table", "table + fit + transform"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Measurement {
  rows: number;
  readMs: number;
  inferMs: number;
  fitMs: number;
  transformMs: number;
  width: number;
  cpuMs: number;
  baselineRss: number;
  peakRss: number;
  retainedHeap: number;
  retainedArrayBuffers: number;
  encodedBytes: number;
  types: string;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--measure") {
    process.stdout.write(JSON.stringify(await measure(process.argv[3] as Scenario, process.argv[4])) + "\n");
    return;
  }
  const count = Number(process.env.FEATURES_BENCH_ROWS ?? 850_000);
  const file = await mixedCsvFile(count);
  const size = statSync(file).size;
  console.log(`features table from a generated mixed-type CSV: ${count} rows x 11 columns, ${(size / MB).toFixed(1)} MB; node ${process.version}`);
  const results: [Scenario, Measurement][] = [];
  for (const scenario of SCENARIOS) results.push([scenario, await inChild(scenario, file)]);
  const parseOnly = results[0][1];
  printTable(
    "CSV streamed from fs.createReadStream through csv-parse",
    ["scenario", "read s", "CPU s", "vs parse only", "infer s", "baseline RSS MB", "peak RSS MB", "peak - baseline MB", "(peak - baseline) / file", "retained heap MB", "retained ArrayBuffers MB", "stored table MB"],
    results.map(([scenario, m]) => [
      scenario,
      (m.readMs / 1000).toFixed(2),
      (m.cpuMs / 1000).toFixed(2),
      `${(m.readMs / parseOnly.readMs).toFixed(2)}x`,
      m.inferMs ? (m.inferMs / 1000).toFixed(2) : "-",
      (m.baselineRss / MB).toFixed(0),
      (m.peakRss / MB).toFixed(0),
      ((m.peakRss - m.baselineRss) / MB).toFixed(0),
      ((m.peakRss - m.baselineRss) / size).toFixed(2),
      (m.retainedHeap / MB).toFixed(0),
      (m.retainedArrayBuffers / MB).toFixed(0),
      m.encodedBytes ? (m.encodedBytes / MB).toFixed(1) : "-",
    ]),
  );
  const types = results[2][1].types;
  if (types) console.log(`\ninferred types: ${types}`);
  const fitted = results[3][1];
  console.log(
    `fit on 90% of the rows (label segment, text in 16 buckets): ${(fitted.fitMs / 1000).toFixed(2)} s; ` +
      `transform of those rows to a ${fitted.width}-wide float32 matrix: ${(fitted.transformMs / 1000).toFixed(2)} s`,
  );
}

function inChild(scenario: Scenario, file: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", ...process.execArgv, fileURLToPath(import.meta.url), "--measure", scenario, file], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`${scenario} exited with ${code}`))));
  });
}

async function measure(scenario: Scenario, file: string): Promise<Measurement> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const baselineRss = process.memoryUsage().rss;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let rows = 0;
  let header: string[] | null = null;
  let builder: TableBuilder | null = null;
  const kept: string[][] = [];
  const parser = parse({ trim: true, on_record: (record: string[]) => {
    if (header === null) {
      header = record;
      builder = new TableBuilder({ columns: header });
      return null;
    }
    rows++;
    if (scenario === "features table" || scenario === "table + fit + transform") builder!.addRow(record);
    else if (scenario === "rows of strings") kept.push(record);
    return null;
  } });
  parser.resume();
  for await (const chunk of createReadStream(file)) if (!parser.write(chunk)) await new Promise((resolve) => parser.once("drain", resolve));
  parser.end();
  await new Promise((resolve) => parser.once("end", resolve));
  let table = null;
  if (scenario === "features table" || scenario === "table + fit + transform") table = builder!.finish();
  builder = null;
  const readMs = performance.now() - start;
  let inferMs = 0;
  let types = "";
  let encodedBytes = 0;
  let fitMs = 0;
  let transformMs = 0;
  let width = 0;
  if (table && scenario === "table + fit + transform") {
    const { train } = splitRows(table.numRows, { validation: 0.1, seed: 1 });
    const fitStart = performance.now();
    const pipeline = fitPipeline(table, { label: "segment", rows: train, options: { textBuckets: 16 } });
    fitMs = performance.now() - fitStart;
    const transformStart = performance.now();
    width = transformTable(pipeline, table, train).width;
    transformMs = performance.now() - transformStart;
  } else if (table) {
    const inferStart = performance.now();
    const reports = inferColumnTypes(table);
    inferMs = performance.now() - inferStart;
    types = reports.map((r) => `${r.name}: ${r.type}`).join(", ");
    encodedBytes = encodeTable(table).length;
  }
  const cpu = process.cpuUsage(cpuStart);
  gc();
  const usage = process.memoryUsage();
  const result: Measurement = {
    rows,
    readMs,
    inferMs,
    fitMs,
    transformMs,
    width,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    retainedHeap: usage.heapUsed,
    retainedArrayBuffers: usage.arrayBuffers,
    encodedBytes,
    types,
  };
  if (kept.length + (table?.numRows ?? 0) < 0) console.log("unreachable: keeps the data alive until measured");
  return result;
}

await main();
