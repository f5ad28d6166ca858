import { describe, expect, it } from "vitest";
import { createModel, fit, trainingSplit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

// trainingSplit() names the samples fit() validates on: the validation loss
// fit() reports is the loss of its final model on exactly those samples.

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 3, activation: "softmax" }] };
const { train: data } = irisSplit(0, 1);

describe("trainingSplit", () => {
  // Class weights weigh the training loss only: the validation loss stays the plain mean (as in Keras).
  const cases: [string, Partial<TrainingConfig>][] = [["", {}], [" (stratified)", { stratify: true }], [" (class weights: the validation loss unweighted)", { classWeights: [1, 20, 0.5] }]];
  for (const [title, extra] of cases) {
    it(`is the split fit() draws${title}`, async () => {
      const config: TrainingConfig = { epochs: 3, batchSize: 16, seed: 21, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.3, ...extra };
      const model = createModel(spec, 21);
      const result = await fit(model, data, config);
      const labels = Int32Array.from(data.y as ArrayLike<number>);
      const { train, validation } = trainingSplit(data.numSamples, config, labels);
      expect(train.length + validation.length).toBe(data.numSamples);
      expect(validation.length).toBe(Math.round(data.numSamples * 0.3));
      const x = new Float32Array(validation.length * 4);
      validation.forEach((sample, i) => x.set(data.x.subarray(sample * 4, sample * 4 + 4), i * 4));
      const outputs = model.predict(x, validation.length);
      const loss = [...validation].reduce((sum, sample, i) => sum - Math.log(outputs[i * 3 + labels[sample]]), 0) / validation.length;
      expect(loss).toBeCloseTo(result.epochs.at(-1)!.valLoss!, 5);
      // Another seed draws another split, whose loss is not the one fit() reported.
      const other = trainingSplit(data.numSamples, { ...config, seed: 22 }, labels).validation;
      expect([...other]).not.toEqual([...validation]);
    });
  }
});

describe("validation data given apart, with class weights", () => {
  it("reports the unweighted loss of the final model on it", async () => {
    const config: TrainingConfig = { epochs: 3, batchSize: 16, seed: 21, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, classWeights: [1, 20, 0.5] };
    const { test: held } = irisSplit(0.3, 2);
    const model = createModel(spec, 21);
    const result = await fit(model, data, config, {}, { validationData: held });
    const outputs = model.predict(held.x, held.numSamples);
    const labels = Int32Array.from(held.y as ArrayLike<number>);
    const loss = labels.reduce((sum, label, i) => sum - Math.log(outputs[i * 3 + label]), 0) / held.numSamples;
    expect(loss).toBeCloseTo(result.epochs.at(-1)!.valLoss!, 5);
  });
});
