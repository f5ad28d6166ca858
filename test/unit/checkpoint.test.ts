import { describe, expect, it } from "vitest";
import { createModel, decodeCheckpoint, encodeCheckpoint, exportWeights, fit, type ModelSpec, type TrainingCheckpoint, type TrainingConfig } from "../../src/engine/index.js";
import { readFileSync } from "node:fs";
import { checkpointV1, checkpointV1Spec, float32Bytes } from "./fixtures/checkpoint-v1.js";
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

  it("decodes a stored format-1 checkpoint (test/unit/fixtures/checkpoint-v1.bin, written by the format-1 encoder)", () => {
    const bytes = new Uint8Array(readFileSync(new URL("./fixtures/checkpoint-v1.bin", import.meta.url)));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(1);
    const decoded = decodeCheckpoint(bytes);
    expect(decoded.epoch).toBe(2);
    expect(decoded.weights.manifest).toEqual([
      { name: "layer0/dense/kernel", shape: [2, 1], offset: 0 },
      { name: "layer0/dense/bias", shape: [1], offset: 2 },
    ]);
    expect(decoded.weights.data).toEqual(float32Bytes([0.5, -0.25, 0.125]));
    expect(decoded.optimizer.iterations).toBe(6);
    expect(decoded.optimizer.slots.map((s) => [s.name, [...s.values]])).toEqual([
      ["m/0", [0.0625, -0.03125]],
      ["m/1", [0.015625]],
      ["v/0", [0.0078125, 0.00390625]],
      ["v/1", [0.001953125]],
    ]);
    expect(decoded.optimizer.slots[0].values).toBeInstanceOf(Float32Array);
    expect(decoded.rng).toEqual([0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321]);
    expect(decoded.schedule).toEqual({ plateauRate: 0.01, plateauBest: Infinity, plateauWait: 0, plateauCooldown: 0 });
    expect(decoded.earlyStopping).toEqual({ bestValue: 0.75, bestEpoch: 1, wait: 1, bestWeights: float32Bytes([0.375, -0.125, 0.0625]) });
    expect(decoded.history).toEqual(checkpointV1.history);
    expect(decoded.inProgress).toBeUndefined();
  });

  it("a run resumes from the format-1 checkpoint exactly as from the checkpoint it encodes", async () => {
    const decoded = decodeCheckpoint(new Uint8Array(readFileSync(new URL("./fixtures/checkpoint-v1.bin", import.meta.url))));
    const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
    // Targets near 10: no resumed epoch comes near the saved best valLoss of 0.75, so the run ends on the saved best weights.
    const data = { x, y: Float32Array.from({ length: 8 }, (_, r) => 10 + x[2 * r] - 0.5 * x[2 * r + 1]), numSamples: 8 };
    const resumeConfig: TrainingConfig = {
      epochs: 4,
      batchSize: 4,
      seed: 1,
      loss: "meanSquaredError",
      optimizer: { type: "adam", learningRate: 0.02 },
      validationSplit: 0.25,
      learningRateSchedule: { type: "reduceOnPlateau", patience: 5 },
      earlyStopping: { patience: 5, restoreBestWeights: true },
    };
    const runs = [];
    for (const resumeFrom of [decoded, checkpointV1]) {
      const model = createModel(checkpointV1Spec, 7);
      runs.push({ result: await fit(model, data, resumeConfig, {}, { resumeFrom }), weights: exportWeights(model).data });
    }
    const [fromBytes, fromObject] = runs;
    expect(fromBytes.result.epochs.map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(fromBytes.result.epochs.slice(0, 2)).toEqual(checkpointV1.history);
    expect(fromBytes.result.epochs[2].learningRate).toBe(0.01); // the plateau schedule's saved rate, not the optimizer's 0.02
    expect(fromBytes.result.epochs).toEqual(fromObject.result.epochs.map((m, i) => ({ ...m, durationMs: fromBytes.result.epochs[i].durationMs })));
    expect(fromBytes.weights).toEqual(fromObject.weights);
    expect(fromBytes.result.epochs.slice(2).every((m) => m.valLoss! > 0.75)).toBe(true);
    expect(fromBytes.result.keptEpoch).toBe(1);
    expect(fromBytes.result.finalMetrics).toEqual({ loss: 1.5, valLoss: 0.75 });
    expect(fromBytes.weights).toEqual(float32Bytes([0.375, -0.125, 0.0625]));
  });

  it("round-trips a checkpoint without early stopping, and refuses a buffer whose magic is only partly right or that is too short", () => {
    const plain: TrainingCheckpoint = { ...checkpointV1, earlyStopping: null };
    expect(decodeCheckpoint(encodeCheckpoint(plain))).toEqual(plain);
    const bytes = encodeCheckpoint(plain);
    bytes[3] = 0x58; // "DSCX"
    expect(() => decodeCheckpoint(bytes)).toThrow(/not a descent checkpoint/);
    expect(() => decodeCheckpoint(encodeCheckpoint(plain).subarray(0, 11))).toThrow(/not a descent checkpoint/);
  });

  it("rejects bytes that are not a checkpoint", () => {
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toThrow(/not a descent checkpoint/);
  });
});
