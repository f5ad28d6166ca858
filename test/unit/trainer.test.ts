import { describe, expect, it } from "vitest";
import { createModel, createTrainer, exportWeights, fit, predict, TrainingError, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dropout", rate: 0.2 }, { type: "dense", units: 3, activation: "softmax" }] };
const { train } = irisSplit(0, 3);
const config: TrainingConfig = { epochs: 1, batchSize: 40, seed: 6, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, shuffle: false };

function bytes(model: ReturnType<typeof createModel>): Buffer {
  return Buffer.from(exportWeights(model).data);
}

describe("createTrainer (the step-by-step public API)", () => {
  it("trainOnBatch steps exactly as fit does on the same batches, optimizer state carried over", async () => {
    const fitted = createModel(spec, 2);
    const result = await fit(fitted, { ...train, x: train.x.subarray(0, 120 * 4), y: train.y.subarray(0, 120), numSamples: 120 }, config);
    const stepped = createModel(spec, 2);
    const trainer = createTrainer(stepped, { loss: config.loss, optimizer: config.optimizer, seed: config.seed });
    const losses = [0, 1, 2].map((b) => trainer.trainOnBatch(train.x.subarray(b * 160, (b + 1) * 160), train.y.subarray(b * 40, (b + 1) * 40), 40));
    expect(bytes(stepped).equals(bytes(fitted))).toBe(true);
    expect((losses[0] + losses[1] + losses[2]) / 3).toBeCloseTo(result.epochs[0].loss, 12);
    expect(bytes(stepped).equals(bytes(createModel(spec, 2)))).toBe(false);
  });

  it("takes class indices as Int32Array or Float32Array alike", () => {
    const [a, b] = [createModel(spec, 4), createModel(spec, 4)];
    const x = train.x.subarray(0, 10 * 4);
    createTrainer(a, { loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } }).trainOnBatch(x, train.y.subarray(0, 10), 10);
    createTrainer(b, { loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } }).trainOnBatch(x, Int32Array.from(train.y.subarray(0, 10)), 10);
    expect(bytes(a).equals(bytes(b))).toBe(true);
  });

  it("rejects a batch whose x or y does not fit, naming the sizes", () => {
    const trainer = createTrainer(createModel(spec, 1), { loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } });
    expect(() => trainer.trainOnBatch(new Float32Array(7), new Float32Array(2), 2)).toThrow(/x has 7 values; 2 samples of 4 features need 8/);
    expect(() => trainer.trainOnBatch(new Float32Array(8), new Float32Array([0, 5]), 2)).toThrow(TrainingError);
    // categoricalCrossentropy takes class indices or one-hot rows, but one kind per trainer (its graphs are built for it).
    const categorical = createTrainer(createModel(spec, 1), { loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } });
    categorical.trainOnBatch(new Float32Array(8), new Float32Array([0, 1]), 2);
    expect(() => categorical.trainOnBatch(new Float32Array(8), new Float32Array([1, 0, 0, 0, 1, 0]), 2)).toThrow(/y has 3 value\(s\) per sample, earlier batches had 1/);
  });

  it("predict gives the model's outputs, row-major, softmax applied", () => {
    const model = createModel(spec, 5);
    const outputs = predict(model, train.x.subarray(0, 12), 3);
    expect(outputs).toHaveLength(9);
    expect(outputs).toEqual(model.predict(train.x.subarray(0, 12), 3));
    for (let r = 0; r < 3; r++) expect(outputs[r * 3] + outputs[r * 3 + 1] + outputs[r * 3 + 2]).toBeCloseTo(1, 6);
  });
});
