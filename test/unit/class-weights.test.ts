import { describe, expect, it } from "vitest";
import { checkSpecFitsData, createModel, fit, type ModelSpec } from "../../src/engine/index.js";

// Class weights multiply each training sample's loss by its class's weight.

const spec: ModelSpec = { inputShape: [2], layers: [{ type: "dense", units: 2, activation: "softmax" }] };

/** 90 samples of class 0 and 10 of class 1, overlapping: unweighted, the minority class is mostly missed. */
function imbalanced() {
  const n = 100;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const minority = i >= 90;
    x[2 * i] = (minority ? 0.4 : 0) + Math.sin(i * 1.3) * 0.5;
    x[2 * i + 1] = Math.cos(i * 0.7) * 0.5;
    y[i] = minority ? 1 : 0;
  }
  return { x, y, numSamples: n };
}

async function minorityRecall(classWeights?: number[]): Promise<number> {
  const data = imbalanced();
  const model = createModel(spec, 4);
  await fit(model, data, { epochs: 60, batchSize: 10, seed: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.05 }, ...(classWeights ? { classWeights } : {}) });
  const out = model.predict(data.x, data.numSamples);
  let found = 0;
  for (let i = 90; i < 100; i++) if (out[2 * i + 1] > out[2 * i]) found++;
  return found / 10;
}

describe("class weights", () => {
  it("raise the recall of a rare class that the unweighted loss neglects", async () => {
    const plain = await minorityRecall();
    const weighted = await minorityRecall([100 / (2 * 90), 100 / (2 * 10)]); // "balanced"
    // Measured: 0.2 unweighted, 0.6 balanced; an ignored weight leaves them equal.
    expect(weighted - plain).toBeGreaterThanOrEqual(0.3);
  });

  it("are refused for another loss, or with the wrong number of classes", () => {
    const base = { epochs: 1, batchSize: 2, seed: 0, optimizer: { type: "sgd" as const, learningRate: 0.1 } };
    expect(() => checkSpecFitsData({ inputShape: [2], layers: [{ type: "dense", units: 1, activation: "sigmoid" }] }, { ...base, loss: "binaryCrossentropy", classWeights: [1, 2] }, { numFeatures: 2, numClasses: 2, numSamples: 10 })).toThrow(/softmax cross-entropy/);
    expect(() => checkSpecFitsData(spec, { ...base, loss: "sparseCategoricalCrossentropy", classWeights: [1, 2, 3] }, { numFeatures: 2, numClasses: 2, numSamples: 10 })).toThrow(/3 weights; the dataset has 2 classes/);
  });
});
