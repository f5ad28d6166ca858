import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec } from "../../src/engine/index.js";

// Regression epochs report the mean absolute error beside the loss: of the
// training batches (mae) and of the validation samples (valMae).

describe("regression MAE per epoch", () => {
  it("reports valMae equal to the mean absolute error of the final model on the validation samples, and no MAE for a classifier", async () => {
    const n = 64;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 0.7));
    const y = Float32Array.from({ length: n }, (_, i) => 2 * x[2 * i] - x[2 * i + 1] + 0.5);
    const validation = { x: x.slice(48 * 2), y: y.slice(48), numSamples: 16 };
    const spec: ModelSpec = { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 1 }] };
    const model = createModel(spec, 1);
    const result = await fit(model, { x: x.slice(0, 48 * 2), y: y.slice(0, 48), numSamples: 48 }, { epochs: 5, batchSize: 8, seed: 1, loss: "meanSquaredError", optimizer: { type: "adam", learningRate: 0.05 } }, {}, { validationData: validation });
    const last = result.epochs.at(-1)!;
    const predictions = model.predict(validation.x, 16);
    const byHand = predictions.reduce((sum, p, i) => sum + Math.abs(p - validation.y[i]), 0) / 16;
    expect(last.valMae).toBeCloseTo(byHand, 5);
    expect(result.epochs.every((m) => typeof m.mae === "number" && m.mae > 0)).toBe(true);

    const classifier = await fit(
      createModel({ inputShape: [2], layers: [{ type: "dense", units: 2, activation: "softmax" }] }, 1),
      { x: x.slice(0, 48 * 2), y: Float32Array.from({ length: 48 }, (_, i) => i % 2), numSamples: 48 },
      { epochs: 1, batchSize: 8, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
    );
    expect(classifier.epochs[0].mae).toBeUndefined();
  });
});
