import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type OptimizerConfig, type TrainingConfig } from "../../src/engine/index.js";
import { clipByGlobalNorm, clipByValue } from "../../src/engine/optimizers/clipping.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 10, activation: "tanh" }, { type: "dense", units: 3, activation: "softmax" }] };
const { train } = irisSplit(0, 5);

// Exact steps of every option: optimizer-steps.test.ts. Here: each one trains a real model.
describe("optimizers", () => {
  const optimizers: OptimizerConfig[] = [
    { type: "sgd", learningRate: 0.05 },
    { type: "sgd", learningRate: 0.05, momentum: 0.9 },
    { type: "sgd", learningRate: 0.05, momentum: 0.9, nesterov: true },
    { type: "adam", learningRate: 0.01 },
    { type: "adamw", learningRate: 0.01, weightDecay: 0.01 },
    { type: "rmsprop", learningRate: 0.01 },
    { type: "rmsprop", learningRate: 0.005, momentum: 0.5 },
    { type: "adagrad", learningRate: 0.1 },
    { type: "sgd", learningRate: 0.05, weightDecay: 1e-3, clipNorm: 1, clipValue: 0.5 },
  ];
  for (const optimizer of optimizers) {
    it(`${JSON.stringify(optimizer)} lowers the loss`, async () => {
      const config: TrainingConfig = { epochs: 15, batchSize: 16, seed: 9, loss: "sparseCategoricalCrossentropy", optimizer };
      const result = await fit(createModel(spec, 9), train, config);
      expect(result.epochs[14].loss).toBeLessThan(result.epochs[0].loss * 0.6);
    });
  }

  it("clips by value and by global norm", () => {
    const g = new Float32Array([3, -4, 0.1]);
    clipByValue(g, 1);
    expect([...g]).toEqual([1, -1, Math.fround(0.1)]);
    const a = new Float32Array([3]);
    const b = new Float32Array([4]);
    clipByGlobalNorm([a, b], 1);
    expect(a[0]).toBeCloseTo(0.6, 6);
    expect(b[0]).toBeCloseTo(0.8, 6);
  });
});
