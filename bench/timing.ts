import type { BenchData } from "./data.js";

/** One contender's training step on samples [start, start + rows) of the data; returns the batch's loss. */
export type TrainingStep = (start: number, rows: number) => number | Promise<number>;

/** A contender's training in data order (wrapping around), each step synchronised (its loss read back) before the next. */
export class TrainingRun {
  private batch = 0;
  private readonly batches: number;

  constructor(
    private readonly step: TrainingStep,
    data: BenchData,
    private readonly batchSize: number,
  ) {
    this.batches = Math.floor(data.numSamples / batchSize);
  }

  /** Runs `count` batches and returns their mean loss (contenders start alike, so the first ones agree). */
  async meanLoss(count: number): Promise<number> {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += await this.next();
    return sum / count;
  }

  /** Trains for `ms` (at least two batches) and returns samples/s. */
  async samplesPerSecond(ms: number): Promise<number> {
    let samples = 0;
    const started = performance.now();
    while (performance.now() - started < ms || samples < 2 * this.batchSize) {
      await this.next();
      samples += this.batchSize;
    }
    return samples / ((performance.now() - started) / 1000);
  }

  private next(): number | Promise<number> {
    return this.step((this.batch++ % this.batches) * this.batchSize, this.batchSize);
  }
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
