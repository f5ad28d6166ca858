import { describe, expect, it } from "vitest";
import { createModel, decodeCheckpoint, encodeCheckpoint, exportWeights, fit, type ModelSpec, type TrainingCheckpoint, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = {
  inputShape: [4],
  layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "batchNorm" }, { type: "dropout", rate: 0.3 }, { type: "dense", units: 3, activation: "softmax" }],
};
const config: TrainingConfig = {
  epochs: 6,
  batchSize: 16,
  seed: 11,
  loss: "sparseCategoricalCrossentropy",
  optimizer: { type: "adam", learningRate: 0.01 },
  validationSplit: 0.2,
  learningRateSchedule: { type: "reduceOnPlateau", patience: 1, factor: 0.5 },
  earlyStopping: { patience: 10, restoreBestWeights: true },
};
const { train } = irisSplit(0, 2);

describe("checkpoints", () => {
  it("resuming from an encoded checkpoint gives bit-identical results to an uninterrupted run", async () => {
    const uninterrupted = createModel(spec, 11);
    const full = await fit(uninterrupted, train, config);

    let saved: Uint8Array | null = null;
    const first = createModel(spec, 11);
    const partial = await fit(first, train, config, {
      onCheckpoint: (checkpoint: TrainingCheckpoint) => {
        if (checkpoint.epoch === 3) saved = encodeCheckpoint(checkpoint);
      },
      shouldStop: () => saved !== null,
    });
    expect(partial.stopped).toBe("cancelled");
    expect(partial.epochs).toHaveLength(3);

    const resumed = createModel(spec, 999); // the checkpoint's weights replace these
    const rest = await fit(resumed, train, config, {}, { resumeFrom: decodeCheckpoint(saved!) });
    expect(rest.epochs).toEqual(full.epochs.map((m, i) => ({ ...m, durationMs: rest.epochs[i].durationMs })));
    expect(rest.keptEpoch).toBe(full.keptEpoch);
    expect(exportWeights(resumed).data).toEqual(exportWeights(uninterrupted).data);
  });

  it("rejects bytes that are not a checkpoint", () => {
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toThrow(/not a descent checkpoint/);
  });
});
