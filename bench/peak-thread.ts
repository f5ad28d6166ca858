// A worker thread that measures the SIMD peak when asked (bench/peak.ts, measureSimdPeakOnThreads).
import { parentPort } from "node:worker_threads";
import { measureSimdPeak } from "./peak.js";

parentPort!.on("message", (budgetMs: number) => parentPort!.postMessage(measureSimdPeak(budgetMs)));
