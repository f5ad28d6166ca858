import { describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, type EarlyStoppingConfig, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { EarlyStopping } from "../../src/engine/training/early-stopping.js";
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
    const snapshots = new Map<number, Uint8Array>();
    const config = { ...plateau, earlyStopping: { ...plateau.earlyStopping, restoreBestWeights: false } };
    const result = await fit(model, train, config, { onEpochEnd: (m) => void snapshots.set(m.epoch, exportWeights(model).data) }, { validationData: test });
    expect(result.stopped).toBe("earlyStopping");
    expect(result.keptEpoch).toBe(5);
    expect(exportWeights(model).data).toEqual(snapshots.get(5));
    expect(exportWeights(model).data).not.toEqual(snapshots.get(3));
    expect(result.finalMetrics.valLoss).toBe(result.epochs[4].valLoss);
  });

  it("rejects monitoring a validation metric without validation data", async () => {
    await expect(fit(createModel(spec, 4), train, plateau)).rejects.toMatchObject({ path: "/training/earlyStopping/monitor" });
  });
});

describe("EarlyStopping, epoch by epoch (Keras' EarlyStopping)", () => {
  /** Feeds one value of `monitor` per epoch; returns [improved, shouldStop] after each. */
  function follow(config: EarlyStoppingConfig, values: number[], monitor: "loss" | "valLoss" | "accuracy" | "valAccuracy" = config.monitor ?? "loss", hasValidation = monitor.startsWith("val")) {
    const early = new EarlyStopping(config, hasValidation);
    return { early, seen: values.map((value, i) => [early.update({ epoch: i + 1, loss: NaN, learningRate: 0.1, durationMs: 0, [monitor]: value }), early.shouldStop]) };
  }

  it("stops after `patience` epochs without improvement, counting again from each improvement", () => {
    const { early, seen } = follow({ patience: 2 }, [1, 0.9, 0.95, 0.8, 0.85, 0.9]);
    expect(seen).toEqual([[true, false], [true, false], [false, false], [true, false], [false, false], [false, true]]);
    expect([early.bestValue, early.bestEpoch, early.wait]).toEqual([0.8, 4, 2]);
  });

  it("patience 0 (the default) stops at the first epoch without improvement, never before", () => {
    expect(follow({}, [1, 0.5, 0.5]).seen).toEqual([[true, false], [true, false], [false, true]]);
  });

  it("an improvement must beat the best by more than minDelta (its sign is ignored)", () => {
    expect(follow({ patience: 1, minDelta: 0.1 }, [1, 0.95, 0.85]).seen.map(([improved]) => improved)).toEqual([true, false, true]);
    expect(follow({ patience: 1, minDelta: -0.1 }, [1, 0.95]).seen.map(([improved]) => improved)).toEqual([true, false]);
    expect(follow({ patience: 1, minDelta: 0.1, monitor: "accuracy" }, [0.5, 0.55, 0.65]).seen.map(([improved]) => improved)).toEqual([true, false, true]);
  });

  it("auto mode maximises accuracies and minimises losses; min and max override it", () => {
    expect(follow({ monitor: "valAccuracy", patience: 1 }, [0.5, 0.6, 0.55]).seen.map(([improved]) => improved)).toEqual([true, true, false]);
    expect(follow({ monitor: "accuracy", patience: 1 }, [0.5, 0.5]).seen.map(([improved]) => improved)).toEqual([true, false]); // equal is no improvement
    expect(follow({ monitor: "accuracy", patience: 1 }, [0.5, 0.6]).early.maximize).toBe(true);
    expect(follow({ monitor: "loss", patience: 1, mode: "max" }, [1, 2, 1.5]).seen.map(([improved]) => improved)).toEqual([true, true, false]);
    expect(follow({ monitor: "accuracy", patience: 1, mode: "min" }, [0.5, 0.4, 0.6]).seen.map(([improved]) => improved)).toEqual([true, true, false]);
    expect(new EarlyStopping({ monitor: "valAccuracy", mode: "auto" }, true).bestValue).toBe(-Infinity);
    expect(new EarlyStopping({ monitor: "valLoss" }, true).bestValue).toBe(Infinity);
  });

  it("monitors valLoss when there is validation data, else loss; a metric that is not computed is an error", () => {
    expect(new EarlyStopping({}, true).monitor).toBe("valLoss");
    expect(new EarlyStopping({}, false).monitor).toBe("loss");
    expect(() => new EarlyStopping({ monitor: "accuracy" }, false).update({ epoch: 1, loss: 1, learningRate: 0.1, durationMs: 0 })).toThrow(/monitored metric accuracy is not computed/);
  });
});
