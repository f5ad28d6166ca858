import { describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 3, activation: "softmax" }] };
const { train, test } = irisSplit(0.3, 3);

// A constructed plateau: the learning rate drops to 1e-5 after epoch 3, so
// the validation loss improves for 3 epochs and then moves by less than minDelta.
const plateau: TrainingConfig = {
  epochs: 20,
  batchSize: 16,
  seed: 4,
  loss: "sparseCategoricalCrossentropy",
  optimizer: { type: "sgd", learningRate: 0.1 },
  learningRateSchedule: { type: "step", stepSize: 3, gamma: 1e-4 },
  earlyStopping: { monitor: "valLoss", patience: 2, minDelta: 1e-4, restoreBestWeights: true },
};

describe("early stopping", () => {
  it("stops `patience` epochs after the plateau starts and restores exactly the best epoch's weights", async () => {
    const model = createModel(spec, 4);
    const snapshots = new Map<number, Uint8Array>();
    const result = await fit(model, train, plateau, { onEpochEnd: (m) => void snapshots.set(m.epoch, exportWeights(model).data) }, { validationData: test });
    expect(result.stopped).toBe("earlyStopping");
    expect(result.epochs.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(result.keptEpoch).toBe(3);
    expect(exportWeights(model).data).toEqual(snapshots.get(3));
    expect(exportWeights(model).data).not.toEqual(snapshots.get(5));
    expect(result.finalMetrics.valLoss).toBe(result.epochs[2].valLoss);
  });

  it("without restoreBestWeights keeps the last epoch's weights", async () => {
    const model = createModel(spec, 4);
    const config = { ...plateau, earlyStopping: { ...plateau.earlyStopping, restoreBestWeights: false } };
    const result = await fit(model, train, config, {}, { validationData: test });
    expect(result.stopped).toBe("earlyStopping");
    expect(result.keptEpoch).toBe(5);
    expect(result.finalMetrics.valLoss).toBe(result.epochs[4].valLoss);
  });

  it("monitors accuracy in max mode, and does not stop while it improves", async () => {
    const config: TrainingConfig = { ...plateau, learningRateSchedule: undefined, epochs: 4, earlyStopping: { monitor: "accuracy", patience: 10 } };
    const result = await fit(createModel(spec, 4), train, config);
    expect(result.stopped).toBe("completed");
    expect(result.epochs).toHaveLength(4);
  });

  it("rejects monitoring a validation metric without validation data", async () => {
    await expect(fit(createModel(spec, 4), train, plateau)).rejects.toMatchObject({ path: "/training/earlyStopping/monitor" });
  });
});
