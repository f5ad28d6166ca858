import type { BenchData } from "./data.js";

/** One contender's training step on samples [start, start + rows) of the data; returns the batch's loss. */
export type TrainingStep = (start: number, rows: number) => number | Promise<number>;

export interface TrainingMeasurement {
  samplesPerSecond: number;
  /** Mean loss of the warm-up batches: contenders start from the same weights on the same batches, so these agree. */
  warmupLoss: number;
}

/**
 * Times every contender the same way: `warmup` batches (whose mean loss is
 * reported) and a third of the budget more (compilation, caches, buffers), then batches in data order (wrapping around) until `budgetMs`
 * have passed, each step synchronised (its loss read back) before the next.
 */
export async function measureTraining(step: TrainingStep, data: BenchData, batchSize: number, warmup: number, budgetMs: number): Promise<TrainingMeasurement> {
  const batches = Math.floor(data.numSamples / batchSize);
  let b = 0;
  const next = () => step((b++ % batches) * batchSize, batchSize);
  let lossSum = 0;
  for (let i = 0; i < warmup; i++) lossSum += await next();
  // Then warm up for a third of the budget more, untimed (tfjs compiles and caches per shape as it goes).
  for (const warm = performance.now(); performance.now() - warm < budgetMs / 3; ) await next();
  let samples = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs || samples < 2 * batchSize) {
    await next();
    samples += batchSize;
  }
  return { samplesPerSecond: samples / ((performance.now() - started) / 1000), warmupLoss: lossSum / warmup };
}

/** GFLOP/s of `run` (2 m n k flops a call), repeated for at least `budgetMs`, the best of `rounds`. */
export function gemmGflops(run: () => void, m: number, n: number, k: number, budgetMs: number, rounds = 3): number {
  run();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let reps = 0;
    const started = performance.now();
    while (performance.now() - started < budgetMs / rounds || reps < 1) {
      run();
      reps++;
    }
    best = Math.max(best, (2 * m * n * k * reps) / ((performance.now() - started) / 1000) / 1e9);
  }
  return best;
}
