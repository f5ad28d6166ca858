import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { accuracyOf, irisSplit, xorData } from "./helpers/datasets.js";

describe("learning", () => {
  it("learns XOR to 100% accuracy", async () => {
    const spec: ModelSpec = { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] };
    const config: TrainingConfig = { epochs: 300, batchSize: 4, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.05 } };
    const model = createModel(spec, config.seed);
    const data = xorData();
    const result = await fit(model, data, config);
    expect(result.stopped).toBe("completed");
    expect(result.finalMetrics.accuracy).toBe(1);
    expect(accuracyOf(model.predict(data.x, 4), data.y, 2)).toBe(1);
  });

  it("learns XOR with a sigmoid output and binaryCrossentropy", async () => {
    const spec: ModelSpec = { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 1, activation: "sigmoid" }] };
    const config: TrainingConfig = { epochs: 400, batchSize: 4, seed: 2, loss: "binaryCrossentropy", optimizer: { type: "adam", learningRate: 0.05 } };
    const model = createModel(spec, config.seed);
    const data = xorData();
    await fit(model, data, config);
    expect(accuracyOf(model.predict(data.x, 4), data.y, 1)).toBe(1);
  });

  it("reaches at least 95% on a held-out 30% of iris", async () => {
    const { train, test } = irisSplit(0.3, 2);
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu", kernelInitializer: "heNormal" }, { type: "dense", units: 3, activation: "softmax" }] };
    const config: TrainingConfig = { epochs: 40, batchSize: 16, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.1 };
    const model = createModel(spec, config.seed);
    const result = await fit(model, train, config);
    expect(result.epochs).toHaveLength(40);
    expect(result.epochs[39].valLoss).toBeDefined();
    const accuracy = accuracyOf(model.predict(test.x, test.numSamples), test.y, 3);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
