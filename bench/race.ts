import type { BenchData } from "./data.js";
import { TrainingRun, type TrainingStep } from "./timing.js";

/** One contender of a training row: what it runs on, and its training step. */
export interface Contender {
  name: string;
  /** Selects what the contender runs on (kernel path, tfjs backend) before each of its rounds. */
  select(): Promise<void>;
  make(): TrainingStep | Promise<TrainingStep>;
}

export interface RaceResult {
  /** Best samples/s of each contender, in the contenders' order. */
  samplesPerSecond: number[];
  /** Mean loss of each contender's warm-up batches (contenders start from the same weights, so these agree). */
  warmUpLoss: number[];
}

/**
 * Every contender warms up (`warmUpBatches` batches, whose mean loss is
 * reported, then a third of the budget), then they take turns: `rounds`
 * rounds of budgetMs / rounds each, and the best round counts. On a machine
 * shared with other work, a single measurement can land in a busy moment.
 */
export async function race(contenders: Contender[], data: BenchData, batchSize: number, options: { budgetMs: number; rounds: number; warmUpBatches: number }): Promise<RaceResult> {
  const { budgetMs, rounds, warmUpBatches } = options;
  const runs: TrainingRun[] = [];
  const warmUpLoss: number[] = [];
  for (const contender of contenders) {
    await contender.select();
    const run = new TrainingRun(await contender.make(), data, batchSize);
    warmUpLoss.push(await run.meanLoss(warmUpBatches));
    await run.samplesPerSecond(budgetMs / 3);
    runs.push(run);
  }
  const samplesPerSecond = contenders.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (let c = 0; c < contenders.length; c++) {
      await contenders[c].select();
      samplesPerSecond[c] = Math.max(samplesPerSecond[c], await runs[c].samplesPerSecond(budgetMs / rounds));
    }
  }
  return { samplesPerSecond, warmUpLoss };
}
