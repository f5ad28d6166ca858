import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { accuracyOf, mnistSplit } from "./helpers/datasets.js";

describe("learning MNIST", () => {
  it("an MLP 784-128-64-10 reaches at least 94% test accuracy (8,000 train / 2,000 test digits)", async () => {
    const { train, test } = mnistSplit(8000, 2000, 42);
    const spec: ModelSpec = {
      inputShape: [784],
      layers: [
        { type: "dense", units: 128, activation: "relu", kernelInitializer: "heNormal" },
        { type: "dense", units: 64, activation: "relu", kernelInitializer: "heNormal" },
        { type: "dense", units: 10, activation: "softmax" },
      ],
    };
    const config: TrainingConfig = { epochs: 6, batchSize: 32, seed: 42, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 2e-3 }, learningRateSchedule: { type: "cosine" } };
    const model = createModel(spec, config.seed);
    await fit(model, train, config);
    expect(accuracyOf(model.predict(test.x, test.numSamples), test.y, 10)).toBeGreaterThanOrEqual(0.94);
  }, 60_000);
});
