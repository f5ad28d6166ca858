import { describe, expect, it } from "vitest";
import { createModel, decodeCheckpoint, encodeCheckpoint, exportWeights, fit, type LiveChanges, type ModelSpec, type TrainingCheckpoint, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

// A running fit() takes a new learning rate, number of epochs or patience at an
// epoch boundary. Epochs before the change are those of the unchanged run; a
// run resumed from the checkpoint before the change, given the changed config,
// is the changed run bit for bit (so a crashed job keeps its change).

const spec: ModelSpec = {
  inputShape: [4],
  layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dropout", rate: 0.2 }, { type: "dense", units: 3, activation: "softmax" }],
};
const base: TrainingConfig = {
  epochs: 8,
  batchSize: 16,
  seed: 7,
  loss: "sparseCategoricalCrossentropy",
  optimizer: { type: "adam", learningRate: 0.01 },
  validationSplit: 0.2,
};
const { train } = irisSplit(0, 2);

/** Trains with `changes` applied after epoch `after`; keeps every checkpoint. */
async function run(config: TrainingConfig, after: number, changes: LiveChanges | null) {
  const model = createModel(spec, 7);
  const checkpoints = new Map<number, Uint8Array>();
  const result = await fit(model, train, config, {
    onCheckpoint: (checkpoint: TrainingCheckpoint) => void checkpoints.set(checkpoint.epoch, encodeCheckpoint(checkpoint)),
    changesAfter: (epoch) => (epoch === after ? changes : null),
  });
  return { result, weights: exportWeights(model).data, checkpoints };
}

const withoutTimes = (epochs: { durationMs: number }[]) => epochs.map((m) => ({ ...m, durationMs: 0 }));

describe("live changes", () => {
  it("without a change, training is bit-identical to a run without the callback", async () => {
    const plain = createModel(spec, 7);
    const expected = await fit(plain, train, base);
    const { result, weights } = await run(base, 3, null);
    expect(withoutTimes(result.epochs)).toEqual(withoutTimes(expected.epochs));
    expect(weights).toEqual(exportWeights(plain).data);
  });

  it("a new learning rate takes effect from the next epoch, and a resumed run with the changed config matches", async () => {
    const unchanged = await run(base, 3, null);
    const changed = await run(base, 3, { learningRate: 0.001 });
    expect(changed.result.epochs.map((m) => m.learningRate)).toEqual([0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.001]);
    expect(withoutTimes(changed.result.epochs.slice(0, 3))).toEqual(withoutTimes(unchanged.result.epochs.slice(0, 3)));
    expect(changed.result.epochs[3].loss).not.toBe(unchanged.result.epochs[3].loss);

    // The crash case: the checkpoint of epoch 3 (taken before the change applied), resumed with the config as changed.
    const resumed = createModel(spec, 1);
    const rest = await fit(resumed, train, { ...base, optimizer: { ...base.optimizer, learningRate: 0.001 } }, {}, { resumeFrom: decodeCheckpoint(unchanged.checkpoints.get(3)!) });
    expect(withoutTimes(rest.epochs)).toEqual(withoutTimes(changed.result.epochs));
    expect(exportWeights(resumed).data).toEqual(changed.weights);
  });

  it("reduceOnPlateau goes on from a changed rate, also after a resume from the checkpoint before the change", async () => {
    const config: TrainingConfig = { ...base, learningRateSchedule: { type: "reduceOnPlateau", patience: 1, factor: 0.5 } };
    const changed = await run(config, 2, { learningRate: 0.05 });
    expect(changed.result.epochs[2].learningRate).toBe(0.05);
    const unchanged = await run(config, 2, null);
    const resumed = createModel(spec, 1);
    const rest = await fit(resumed, train, { ...config, optimizer: { ...config.optimizer, learningRate: 0.05 } }, {}, { resumeFrom: decodeCheckpoint(unchanged.checkpoints.get(2)!) });
    expect(withoutTimes(rest.epochs)).toEqual(withoutTimes(changed.result.epochs));
    expect(exportWeights(resumed).data).toEqual(changed.weights);
    // A checkpoint taken after the change carries the new base rate: resuming from it changes nothing more.
    const later = createModel(spec, 1);
    const fromLater = await fit(later, train, { ...config, optimizer: { ...config.optimizer, learningRate: 0.05 } }, {}, { resumeFrom: decodeCheckpoint(changed.checkpoints.get(5)!) });
    expect(withoutTimes(fromLater.epochs)).toEqual(withoutTimes(changed.result.epochs));
  });

  it("more or fewer epochs move the end of training; a smaller patience stops it early", async () => {
    const longer = await run(base, 4, { epochs: 11 });
    expect(longer.result.epochs.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const shorter = await run(base, 4, { epochs: 5 });
    expect(shorter.result.epochs).toHaveLength(5);
    expect(shorter.result.stopped).toBe("completed");
    const already = await run(base, 4, { epochs: 2 });
    expect(already.result.epochs).toHaveLength(4);

    // min mode on the training loss with an impossible minDelta: no epoch after the first improves.
    const patient: TrainingConfig = { ...base, earlyStopping: { monitor: "loss", patience: 100, minDelta: 10 } };
    expect((await run(patient, 3, null)).result.epochs).toHaveLength(8);
    const impatient = await run(patient, 3, { patience: 1 });
    expect(impatient.result.stopped).toBe("earlyStopping");
    expect(impatient.result.epochs).toHaveLength(3);
  });
});
