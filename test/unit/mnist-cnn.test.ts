import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { accuracyOf, mnistSplit } from "./helpers/datasets.js";

describe("learning MNIST with a convolution", () => {
  it("conv 3x3x8 -> relu -> maxPool 2 -> dense 10 reaches at least 96% test accuracy (8,000 train / 2,000 test digits)", async () => {
    const { train, test } = mnistSplit(8000, 2000, 42);
    const spec: ModelSpec = {
      inputShape: [28, 28, 1],
      layers: [
        { type: "conv2d", filters: 8, kernelSize: 3, activation: "relu", kernelInitializer: "heNormal" },
        { type: "maxPool2d", poolSize: 2 },
        { type: "flatten" },
        { type: "dense", units: 10, activation: "softmax" },
      ],
    };
    const config: TrainingConfig = { epochs: 6, batchSize: 32, seed: 42, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 5e-3 }, learningRateSchedule: { type: "cosine" } };
    const model = createModel(spec, config.seed);
    await fit(model, train, config);
    const accuracy = accuracyOf(model.predict(test.x, test.numSamples), test.y, 10);
    expect(accuracy).toBeGreaterThanOrEqual(0.96); // 0.966 with this seed
  }, 120_000);
});
