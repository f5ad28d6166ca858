import { describe, expect, it } from "vitest";
import { createModel, fit, type LearningRateSchedule, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { LearningRateScheduler } from "../../src/engine/training/schedules.js";
import { irisSplit } from "./helpers/datasets.js";

const rates = (schedule: LearningRateSchedule, epochs: number, batches = 1): number[] => {
  const scheduler = new LearningRateScheduler(0.1, schedule, epochs, batches);
  return Array.from({ length: epochs }, (_, e) => scheduler.rateAt(e + 1, batches));
};

describe("learning-rate schedules", () => {
  it("constant, step, exponential and cosine", () => {
    expect(rates({ type: "constant" }, 3)).toEqual([0.1, 0.1, 0.1]);
    const step = rates({ type: "step", stepSize: 2, gamma: 0.5 }, 5);
    [0.1, 0.1, 0.05, 0.05, 0.025].forEach((r, i) => expect(step[i]).toBeCloseTo(r, 12));
    const exponential = rates({ type: "exponential", gamma: 0.9 }, 3);
    [0.1, 0.09, 0.081].forEach((r, i) => expect(exponential[i]).toBeCloseTo(r, 12));
    const cosine = rates({ type: "cosine", minLearningRate: 0.01 }, 5);
    expect(cosine[0]).toBeCloseTo(0.1, 12);
    expect(cosine[4]).toBeCloseTo(0.01 + 0.09 * 0.5 * (1 + Math.cos((Math.PI * 4) / 5)), 12);
    for (let i = 1; i < 5; i++) expect(cosine[i]).toBeLessThan(cosine[i - 1]);
  });

  it("warms up linearly, batch by batch", () => {
    const scheduler = new LearningRateScheduler(0.1, { type: "constant", warmupEpochs: 2 }, 5, 4);
    expect(scheduler.rateAt(1, 1)).toBeCloseTo(0.1 / 8, 12);
    expect(scheduler.rateAt(1, 4)).toBeCloseTo(0.05, 12);
    expect(scheduler.rateAt(2, 4)).toBeCloseTo(0.1, 12);
    expect(scheduler.rateAt(3, 1)).toBe(0.1);
  });

  it("reduceOnPlateau divides the rate after `patience` epochs without improvement", () => {
    const scheduler = new LearningRateScheduler(0.1, { type: "reduceOnPlateau", monitor: "loss", patience: 2, factor: 0.5 }, 10, 1);
    const seen: number[] = [];
    for (const loss of [1, 0.9, 0.95, 0.92, 0.91, 0.93]) {
      seen.push(scheduler.rateAt(1, 1));
      scheduler.endEpoch({ loss });
    }
    seen.push(scheduler.rateAt(1, 1));
    expect(seen).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025]); // the count restarts after each reduction
  });

  it("fit reports each epoch's learning rate", async () => {
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 3, activation: "softmax" }] };
    const config: TrainingConfig = { epochs: 4, batchSize: 32, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.2 }, learningRateSchedule: { type: "step", stepSize: 1, gamma: 0.5 } };
    const result = await fit(createModel(spec, 1), irisSplit(0, 1).train, config);
    expect(result.epochs.map((m) => m.learningRate)).toEqual([0.2, 0.1, 0.05, 0.025]);
  });
});
