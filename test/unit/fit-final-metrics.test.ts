import { describe, expect, it } from "vitest";
import { createModel, fit, predict, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { argmax } from "../../src/engine/training/targets.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] };
const config: TrainingConfig = { epochs: 12, batchSize: 16, seed: 3, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.05 } };

describe("fit's final metrics (no extra pass over the data at the end)", () => {
  it("classMetrics are those of the kept weights on the validation data, early stopping restoring the best epoch", async () => {
    const { train, test } = irisSplit(0.3, 5);
    const model = createModel(spec, 8);
    const result = await fit(model, train, { ...config, earlyStopping: { monitor: "valLoss", patience: 2, restoreBestWeights: true } }, {}, { validationData: test });
    expect(result.keptEpoch).toBeLessThanOrEqual(result.epochs.length);
    const outputs = predict(model, test.x, test.numSamples);
    const confusion = [0, 1, 2].map(() => [0, 0, 0]);
    for (let i = 0; i < test.numSamples; i++) confusion[test.y[i]][argmax(outputs, i * 3, 3)]++;
    expect(result.classMetrics!.on).toBe("validation");
    expect(result.classMetrics!.confusionMatrix).toEqual(confusion);
    const kept = result.epochs.find((e) => e.epoch === result.keptEpoch)!;
    expect(confusion.reduce((sum, row, i) => sum + row[i], 0) / test.numSamples).toBeCloseTo(kept.valAccuracy!, 10);
  });

  it("without validation data there are no classMetrics; finalMetrics are the last epoch's running metrics", async () => {
    const { train } = irisSplit(0, 5);
    const result = await fit(createModel(spec, 8), train, config);
    expect(result.classMetrics).toBeUndefined();
    const last = result.epochs[result.epochs.length - 1];
    expect(result.finalMetrics).toEqual({ loss: last.loss, accuracy: last.accuracy });
  });
});
