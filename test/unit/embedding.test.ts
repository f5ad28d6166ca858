import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, fit, summarizeModel, TrainingError, type ModelSpec } from "../../src/engine/index.js";
import type { NeuralNetwork } from "../../src/engine/model.js";
import { embeddingLookup } from "../../src/engine/ops/embedding.js";
import { Prng } from "../../src/engine/random.js";
import { Tensor } from "../../src/engine/tensor.js";
import { accuracyOf } from "./helpers/datasets.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";
import { specError } from "./helpers/spec-error.js";

const specErrorOf = (spec: ModelSpec) => specError(() => summarizeModel(spec));

const ids = (values: number[], shape: number[]) => Tensor.leaf(Float32Array.from(values), shape);

describe("embedding", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("looks up each id's row of the table", () => {
    const table = randomTensor(new Prng(51), [5, 3], false);
    const out = embeddingLookup(ids([4, 0, 4, 2], [2, 2]), table);
    expect(out.shape).toEqual([2, 2, 3]);
    const row = (id: number) => Array.from(table.data.subarray(id * 3, id * 3 + 3));
    expect(Array.from(out.data)).toEqual([...row(4), ...row(0), ...row(4), ...row(2)]);
  });

  it("gradients of the table by finite differences; a repeated id sums its rows' gradients, ids get none", () => {
    const input = ids([1, 3, 1, 0, 3, 3], [2, 3]);
    checkGradients("embedding", ([table]) => embeddingLookup(input, table), [randomTensor(new Prng(52), [4, 5])]);
    const table = Tensor.zeros([4, 2], true);
    const out = embeddingLookup(ids([2, 2, 0], [1, 3]), table);
    out.grad = Float32Array.from([1, 2, 3, 4, 5, 6]);
    out.backwardFn!();
    expect(Array.from(table.grad!)).toEqual([5, 6, 0, 0, 4, 6, 0, 0]);
    expect(input.grad).toBeNull();
  });

  it("reads the model's input, one id per step, and says so when it does not", () => {
    expect(summarizeModel({ inputShape: [7], layers: [{ type: "embedding", inputDim: 50, outputDim: 4 }, { type: "flatten" }] }).map((s) => [s.outputShape, s.parameterCount])).toEqual([
      [[7, 4], 200],
      [[28], 0],
    ]);
    const later = specErrorOf({ inputShape: [7], layers: [{ type: "dense", units: 3 }, { type: "embedding", inputDim: 5, outputDim: 2 }] });
    expect([later.path, later.message]).toEqual(["/model/layers/1", expect.stringMatching(/reads integer ids from the model's input: make it the first layer/)]);
    const wired = specErrorOf({ inputShape: [7], layers: [{ type: "dense", units: 3, name: "d" }, { type: "embedding", inputDim: 5, outputDim: 2, inputs: ["d"] }] });
    expect(wired.path).toBe("/model/layers/1/inputs");
    expect(specErrorOf({ inputShape: [2, 3], layers: [{ type: "embedding", inputDim: 5, outputDim: 2 }] }).message).toMatch(/an input of shape \[steps\]; got \[2, 3\]/);
    expect(specErrorOf({ inputShape: [3], layers: [{ type: "embedding", inputDim: 0, outputDim: 2 }] }).path).toBe("/model/layers/0/inputDim");
  });

  it("refuses ids outside [0, inputDim) or not integers, in fit and in predict, naming the sample and position", async () => {
    const model = createModel({ inputShape: [3], layers: [{ type: "embedding", inputDim: 4, outputDim: 2 }, { type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }] }, 1);
    const config = { epochs: 1, batchSize: 2, seed: 0, loss: "sparseCategoricalCrossentropy" as const, optimizer: { type: "sgd" as const, learningRate: 0.1 } };
    for (const bad of [4, 1.5, -1]) {
      const data = { x: Float32Array.from([0, 1, 2, 3, bad, 0]), y: Float32Array.from([0, 1]), numSamples: 2 };
      const error = await fit(model, data, config).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrainingError);
      expect((error as TrainingError).message).toBe(`data: sample 1, position 1: ${bad} is not an id of embedding layer 0: ids are integers from 0 to 3`);
    }
    expect(() => model.predict(Float32Array.from([0, 9, 1]), 1)).toThrow(/sample 0, position 1: 9 is not an id/);
  });

  it("learns which token a bag of ids holds, whatever its position", async () => {
    const rng = new Prng(53);
    const samples = 600;
    const x = Float32Array.from({ length: samples * 6 }, () => rng.nextInt(10));
    const y = new Float32Array(samples);
    for (let s = 0; s < samples; s++) y[s] = x.subarray(s * 6, s * 6 + 6).includes(7) ? 1 : 0;
    const spec: ModelSpec = { inputShape: [6], layers: [{ type: "embedding", inputDim: 10, outputDim: 8 }, { type: "flatten" }, { type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }] };
    const model = createModel(spec, 2) as NeuralNetwork;
    await fit(model, { x: x.subarray(0, 500 * 6), y: y.subarray(0, 500), numSamples: 500 }, { epochs: 20, batchSize: 25, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } });
    expect(accuracyOf(model.predict(x.subarray(500 * 6), 100), y.subarray(500), 2)).toBeGreaterThan(0.95);
  });

  it("matches TensorFlow.js's Embedding on the same weights: outputs, one SGD step's loss, outputs after the step", async () => {
    const spec: ModelSpec = { inputShape: [5], layers: [{ type: "embedding", inputDim: 12, outputDim: 6 }, { type: "layerNormalization" }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] };
    const report = await tfjsParity(spec, { classes: 3, inputValue: (rng) => rng.nextInt(12) });
    console.log(`embedding vs tfjs: ${JSON.stringify(report)}`);
    expect(report.forward).toBeLessThan(1e-5);
    expect(report.loss).toBeLessThan(1e-4);
    expect(report.afterStep).toBeLessThan(1e-5);
  });
});
