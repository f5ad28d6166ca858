import { describe, expect, it } from "vitest";
import { createModel, decodeCheckpoint, encodeCheckpoint, exportWeights, fit, type FitResult, type ModelSpec, type TrainingCheckpoint, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

// Dropout, batchNorm, Adam, a validation split, a plateau schedule, early
// stopping and noise augmentation: every piece of state a resume has to restore.
const spec: ModelSpec = {
  inputShape: [4],
  layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "batchNorm" }, { type: "dropout", rate: 0.3 }, { type: "dense", units: 3, activation: "softmax" }],
};
const config: TrainingConfig = {
  epochs: 4,
  batchSize: 16,
  seed: 5,
  loss: "sparseCategoricalCrossentropy",
  optimizer: { type: "adam", learningRate: 0.01 },
  validationSplit: 0.2,
  learningRateSchedule: { type: "reduceOnPlateau", patience: 1, factor: 0.5 },
  earlyStopping: { patience: 10, restoreBestWeights: true },
  augmentation: { noise: 0.05 },
};
const { train } = irisSplit(0, 2); // 150 samples: 120 train in 8 batches of 16, 30 validation

/** Runs fit, stopping when `stopAt` batches have run in this call (checked before each batch). */
async function runUntil(stopAt: number | null, resumeFrom?: TrainingCheckpoint) {
  const model = createModel(spec, 77); // a resume replaces these weights
  let batchesRun = 0;
  const result = await fit(model, train, config, { onBatchEnd: () => void batchesRun++, shouldStop: () => stopAt !== null && batchesRun >= stopAt }, resumeFrom ? { resumeFrom } : {});
  return { model, result };
}

function withoutDurations(result: FitResult) {
  return result.epochs.map(({ durationMs: _ignored, ...rest }) => rest);
}

describe("checkpoints taken mid-epoch (shouldStop)", () => {
  it("resumes from the stopped batch: weights and every epoch's metrics are bit-identical to an uninterrupted run", async () => {
    const full = await runUntil(null);
    const fullWeights = exportWeights(full.model).data;
    // Before the first batch, mid-epoch, at an epoch boundary (batch 0 of epoch 2), the last batch of an epoch, the very last batch.
    for (const stopAt of [0, 3, 8, 15, 31]) {
      const first = await runUntil(stopAt);
      expect(first.result.stopped).toBe("cancelled");
      const checkpoint = first.result.checkpoint!;
      expect(checkpoint.inProgress).toMatchObject({ epoch: Math.floor(stopAt / 8) + 1, batch: stopAt % 8 });
      expect(checkpoint.epoch).toBe(Math.floor(stopAt / 8));
      const resumed = await runUntil(null, decodeCheckpoint(encodeCheckpoint(checkpoint)));
      expect(resumed.result.stopped, `stop at ${stopAt}`).toBe("completed");
      expect(withoutDurations(resumed.result), `stop at ${stopAt}`).toEqual(withoutDurations(full.result));
      expect(resumed.result.keptEpoch).toBe(full.result.keptEpoch);
      expect(resumed.result.finalMetrics).toEqual(full.result.finalMetrics);
      expect(resumed.result.classMetrics).toEqual(full.result.classMetrics);
      expect(exportWeights(resumed.model).data, `stop at ${stopAt}`).toEqual(fullWeights);
    }
  });

  it("a resumed run can be stopped and resumed again (two interruptions in one epoch)", async () => {
    const full = await runUntil(null);
    const first = await runUntil(10);
    const second = await runUntil(3, first.result.checkpoint); // stops after batch 5 of epoch 2
    expect(second.result.checkpoint!.inProgress).toMatchObject({ epoch: 2, batch: 5 });
    const last = await runUntil(null, decodeCheckpoint(encodeCheckpoint(second.result.checkpoint!)));
    expect(withoutDurations(last.result)).toEqual(withoutDurations(full.result));
    expect(exportWeights(last.model).data).toEqual(exportWeights(full.model).data);
  });

  it("the interrupted epoch's training time carries over into its durationMs", async () => {
    const first = await runUntil(5);
    const saved = first.result.checkpoint!.inProgress!;
    expect(saved.durationMs).toBeGreaterThan(0);
    const resumed = await runUntil(null, first.result.checkpoint);
    expect(resumed.result.epochs[0].durationMs).toBeGreaterThanOrEqual(saved.durationMs);
  });

  it("encodes as format version 2, round-trips the interrupted epoch, and refuses an unknown version (format 1: checkpoint.test.ts)", async () => {
    const midEpoch = (await runUntil(11)).result.checkpoint!;
    const bytes = encodeCheckpoint(midEpoch);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(2);
    const roundTrip = decodeCheckpoint(bytes);
    expect(roundTrip.inProgress).toEqual(midEpoch.inProgress);
    expect(roundTrip.inProgress!.order).toBeInstanceOf(Int32Array);
    expect(roundTrip).toEqual(midEpoch);
    const version3 = bytes.slice();
    new DataView(version3.buffer).setUint32(4, 3, true);
    expect(() => decodeCheckpoint(version3)).toThrow(/unsupported format version 3/);
  });

  it("rejects a mid-epoch checkpoint from a run with other training samples", async () => {
    const checkpoint = (await runUntil(3)).result.checkpoint!;
    const other = { ...train, numSamples: 100, x: train.x.subarray(0, 400), y: train.y.subarray(0, 100) };
    await expect(fit(createModel(spec, 1), other, config, {}, { resumeFrom: checkpoint })).rejects.toThrow(/resumeFrom/);
  });
});
