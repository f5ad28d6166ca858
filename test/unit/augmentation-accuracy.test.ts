import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { accuracyOf, mnistSplit } from "./helpers/datasets.js";

// Apart from augmentation.test.ts: it trains 6 models on MNIST, which `npm run mutation` leaves out.
describe("data augmentation on MNIST", () => {
  it("on 500 training digits, random shifts raise held-out accuracy (mean over 3 seeds)", async () => {
    const { train, test } = mnistSplit(500, 2000, 11);
    const mlp: ModelSpec = { inputShape: [28, 28, 1], layers: [{ type: "flatten" }, { type: "dense", units: 64, activation: "relu" }, { type: "dense", units: 10, activation: "softmax" }] };
    const accuracies = { plain: 0, shifted: 0 };
    for (const seed of [1, 2, 3]) {
      for (const kind of ["plain", "shifted"] as const) {
        const model = createModel(mlp, seed);
        const config: TrainingConfig = { epochs: 30, batchSize: 32, seed, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 2e-3 } };
        await fit(model, train, kind === "shifted" ? { ...config, augmentation: { shift: 2 } } : config);
        accuracies[kind] += accuracyOf(model.predict(test.x, test.numSamples), test.y, 10) / 3;
      }
    }
    expect(accuracies.shifted).toBeGreaterThan(accuracies.plain + 0.01);
  }, 60_000);
});
