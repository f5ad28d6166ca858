import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, fit, summarizeModel, TrainingError, type ModelSpec } from "../../src/engine/index.js";
import type { NeuralNetwork } from "../../src/engine/model.js";
import { selectColumns } from "../../src/engine/ops/select-columns.js";
import { Prng } from "../../src/engine/random.js";
import { accuracyOf } from "./helpers/datasets.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { specError } from "./helpers/spec-error.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";

// selectColumns splits a feature vector: a table's category ids go to an
// embedding, its other columns to dense layers, joined again by concatenate.

/** Inputs [4]: columns 0, 1 and 3 are numbers, column 2 a shop id in [0, 40). */
const mixedSpec = (shops = 40): ModelSpec => ({
  inputShape: [4],
  layers: [
    { type: "selectColumns", indices: [2], name: "shop" },
    { type: "embedding", inputDim: shops, outputDim: 4, inputs: ["shop"] },
    { type: "flatten", name: "shopVector" },
    { type: "selectColumns", indices: [0, 1, 3], inputs: ["input"], name: "numbers" },
    { type: "concatenate", inputs: ["shopVector", "numbers"] },
    { type: "dense", units: 16, activation: "relu" },
    { type: "dense", units: 3, activation: "softmax" },
  ],
});

describe("selectColumns", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("picks positions of the last axis in the order listed, for every leading position", () => {
    const x = randomTensor(new Prng(61), [2, 3, 5], false);
    const out = selectColumns(x, Int32Array.from([4, 0, 2]));
    expect(out.shape).toEqual([2, 3, 3]);
    for (let r = 0; r < 6; r++) expect(Array.from(out.data.subarray(r * 3, r * 3 + 3))).toEqual([4, 0, 2].map((j) => x.data[r * 5 + j]));
  });

  it("gradients by finite differences: each output's gradient goes back to its position, unpicked ones get none", () => {
    checkGradients("selectColumns", ([x]) => selectColumns(x, Int32Array.from([3, 1])), [randomTensor(new Prng(62), [4, 5])]);
    const x = randomTensor(new Prng(63), [1, 4], true);
    const out = selectColumns(x, Int32Array.from([2, 0]));
    out.grad = Float32Array.from([5, 7]);
    out.backwardFn!();
    expect(Array.from(x.grad!)).toEqual([7, 0, 5, 0]);
  });

  it("checks its indices against the input, with paths", () => {
    const error = (indices: unknown[]) => specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "selectColumns", indices: indices as number[] }, { type: "dense", units: 1 }] }));
    expect([error([4]).path, error([4]).message]).toEqual(["/model/layers/0/indices/0", expect.stringMatching(/last axis has 4 values \(0 to 3\)/)]);
    expect(error([1, 1]).path).toBe("/model/layers/0/indices/1");
    expect(error([0.5]).path).toBe("/model/layers/0/indices/0");
    expect(error([]).path).toBe("/model/layers/0/indices");
    expect(summarizeModel(mixedSpec()).map((s) => s.outputShape)).toEqual([[1], [1, 4], [4], [3], [7], [16], [3]]);
    // An embedding reads the input, or columns of it, nothing else.
    const afterDense = specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "dense", units: 2, name: "d" }, { type: "selectColumns", indices: [0], inputs: ["d"], name: "s" }, { type: "embedding", inputDim: 3, outputDim: 2, inputs: ["s"] }, { type: "flatten" }] }));
    expect(afterDense.path).toBe("/model/layers/2/inputs");
  });

  it("checks only the id columns: any number elsewhere, ids of the embedding's range at the selected position", async () => {
    const model = createModel(mixedSpec(), 1);
    expect(() => model.predict(Float32Array.from([-3.5, 1e6, 39, 0.25]), 1)).not.toThrow();
    expect(() => model.predict(Float32Array.from([0, 0, 40, 0]), 1)).toThrow(/sample 0, position 2: 40 is not an id of embedding layer 1/);
    const data = { x: Float32Array.from([0.5, 1, 2, 3, 0.5, 1, 2.5, 3]), y: Float32Array.from([0, 1]), numSamples: 2 };
    const error = await fit(model, data, { epochs: 1, batchSize: 2, seed: 0, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toMatch(/sample 1, position 2: 2.5 is not an id/);
  });

  it("lets an embedding learn what each of 40 shops means, where the numbers alone cannot", async () => {
    // The class is the shop's (each shop has its own of 3); the numbers are noise.
    const rng = new Prng(64);
    const classOfShop = Array.from({ length: 40 }, () => rng.nextInt(3));
    const samples = 2400;
    const x = new Float32Array(samples * 4);
    const y = new Float32Array(samples);
    for (let s = 0; s < samples; s++) {
      const shop = rng.nextInt(40);
      x.set([rng.nextFloat(), rng.nextFloat(), shop, rng.nextFloat()], s * 4);
      y[s] = classOfShop[shop];
    }
    const train = { x: x.subarray(0, 2000 * 4), y: y.subarray(0, 2000), numSamples: 2000 };
    const config = { epochs: 15, batchSize: 32, seed: 4, loss: "sparseCategoricalCrossentropy" as const, optimizer: { type: "adam" as const, learningRate: 0.01 } };
    const withShops = createModel(mixedSpec(), 4) as NeuralNetwork;
    await fit(withShops, train, config);
    const numbersOnly = createModel({ inputShape: [4], layers: [{ type: "selectColumns", indices: [0, 1, 3] }, { type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] }, 4) as NeuralNetwork;
    await fit(numbersOnly, train, config);
    const accuracy = (model: NeuralNetwork) => accuracyOf(model.predict(x.subarray(2000 * 4), 400), y.subarray(2000), 3);
    console.log(`shop task, held-out accuracy: with the shop embedding ${accuracy(withShops).toFixed(3)}, numbers only ${accuracy(numbersOnly).toFixed(3)}`);
    expect(accuracy(withShops)).toBeGreaterThan(0.97);
    expect(accuracy(numbersOnly)).toBeLessThan(0.55);
  });

  it("matches TensorFlow.js on the same weights (exported as a frozen selecting Dense): outputs, one SGD step's loss, outputs after it", async () => {
    const report = await tfjsParity(mixedSpec(12), { classes: 3, inputValue: (rng) => rng.nextInt(12) });
    console.log(`selectColumns + embedding vs tfjs: ${JSON.stringify(report)}`);
    expect(report.forward).toBeLessThan(1e-5);
    expect(report.loss).toBeLessThan(1e-4);
    expect(report.afterStep).toBeLessThan(1e-5);
  });
});
