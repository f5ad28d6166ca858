import { describe, expect, it } from "vitest";
import { createModel, fit, summarizeModel, type LayerSpec, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import type { NeuralNetwork } from "../../src/engine/model.js";
import { addTensors } from "../../src/engine/ops/add.js";
import { concatenate } from "../../src/engine/ops/concatenate.js";
import { Prng } from "../../src/engine/random.js";
import { accuracyOf, mnistSplit } from "./helpers/datasets.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";
import { specError } from "./helpers/spec-error.js";

// Graph models: layers wired by name (`inputs`), joined by add and concatenate.

const specErrorOf = (spec: ModelSpec) => specError(() => summarizeModel(spec));

const residual: ModelSpec = {
  inputShape: [6],
  layers: [
    { type: "dense", units: 8, activation: "relu", name: "stem" },
    { type: "dense", units: 8, activation: "tanh", name: "branch" },
    { type: "add", inputs: ["stem", "branch"] },
    { type: "dense", units: 3, activation: "softmax" },
  ],
};

describe("graph specs", () => {
  it("wire layers by name and infer every edge's shape", () => {
    const spec: ModelSpec = {
      inputShape: [5],
      layers: [
        { type: "dense", units: 4, name: "a" },
        { type: "dense", units: 3, inputs: ["input"], name: "b" },
        { type: "concatenate", inputs: ["a", "b", "input"], name: "joined" },
        { type: "dense", units: 2, activation: "softmax" },
      ],
    };
    const summaries = summarizeModel(spec);
    expect(summaries.map((s) => [s.name, s.inputs, s.outputShape])).toEqual([
      ["a", [-1], [4]],
      ["b", [-1], [3]],
      ["joined", [0, 1, -1], [12]],
      [undefined, [2], [2]],
    ]);
    expect(summaries[2].parameterCount).toBe(0);
    expect(summaries[3].parameterCount).toBe(12 * 2 + 2);
  });

  it("keep every sequential spec's meaning: no inputs means the previous layer", () => {
    const summaries = summarizeModel({ inputShape: [3], layers: [{ type: "dense", units: 2 }, { type: "dense", units: 1 }] });
    expect(summaries.map((s) => s.inputs)).toEqual([[-1], [0]]);
  });

  it("refuse wiring mistakes with the path of the field", () => {
    const dense = (name: string, inputs?: string[]): LayerSpec => ({ type: "dense", units: 4, name, ...(inputs ? { inputs } : {}) });
    const cases: [LayerSpec[], string, RegExp][] = [
      [[dense("a"), { type: "add", inputs: ["a", "nope"] }], "/model/layers/1/inputs/1", /no layer is named "nope"; the names are "a" and "input"/],
      [[dense("a", ["b"]), dense("b")], "/model/layers/0/inputs/0", /"b" is layer 1, after this one.*rules out cycles/],
      [[dense("a", ["a"])], "/model/layers/0/inputs/0", /its own output.*cycle/],
      [[dense("a"), dense("a")], "/model/layers/1/name", /already layer 0's/],
      [[dense("input")], "/model/layers/0/name", /names the model's input/],
      [[dense("a b")], "/model/layers/0/name", /letters, digits/],
      [[dense("a"), { type: "add" }], "/model/layers/1/inputs", /add needs "inputs"/],
      [[dense("a"), { type: "concatenate", inputs: ["a"] }], "/model/layers/1/inputs", /takes an integer from 2 to 16 inputs, got 1/],
      [[dense("a"), dense("b", ["a", "input"])], "/model/layers/1/inputs", /takes one input, got 2; join several first/],
      [[dense("a"), { type: "dense", units: 3, name: "b", inputs: ["input"] }, { type: "add", inputs: ["a", "b"] }], "/model/layers/2/inputs", /adds inputs of one shape, got \[4\] from "a", \[3\] from "b"/],
      [[dense("a"), dense("b", ["input"]), dense("c", ["input"])], "/model/layers/0", /no later layer takes this layer's output/],
    ];
    for (const [layers, path, message] of cases) {
      const error = specErrorOf({ inputShape: [4], layers });
      expect(error.path, JSON.stringify(layers)).toBe(path);
      expect(error.message, path).toMatch(message);
    }
    const images = specErrorOf({
      inputShape: [6, 6, 1],
      layers: [
        { type: "conv2d", filters: 2, kernelSize: 3, name: "small" },
        { type: "conv2d", filters: 2, kernelSize: 1, inputs: ["input"], name: "full" },
        { type: "concatenate", inputs: ["small", "full"] },
      ],
    });
    expect(images.path).toBe("/model/layers/2/inputs");
    expect(images.message).toMatch(/all other axes must agree; got \[4, 4, 2\] from "small", \[6, 6, 2\] from "full"/);
  });
});

describe("merge ops", () => {
  it("add: gradients by finite differences, two and three inputs", () => {
    const rng = new Prng(31);
    checkGradients("add", (xs) => addTensors(xs), [randomTensor(rng, [3, 4]), randomTensor(rng, [3, 4])]);
    checkGradients("add3", (xs) => addTensors(xs), [randomTensor(rng, [2, 5]), randomTensor(rng, [2, 5]), randomTensor(rng, [2, 5])]);
  });

  it("concatenate: gradients by finite differences, rank 2 and rank 4", () => {
    const rng = new Prng(32);
    checkGradients("concatenate", (xs) => concatenate(xs), [randomTensor(rng, [3, 2]), randomTensor(rng, [3, 5]), randomTensor(rng, [3, 1])]);
    checkGradients("concatenate images", (xs) => concatenate(xs), [randomTensor(rng, [2, 3, 3, 2]), randomTensor(rng, [2, 3, 3, 1])]);
  });

  it("concatenate puts each input's row side by side, and add sums in input order", () => {
    const rng = new Prng(33);
    const a = randomTensor(rng, [2, 2]);
    const b = randomTensor(rng, [2, 3]);
    const joined = concatenate([a, b]);
    expect(joined.shape).toEqual([2, 5]);
    expect(Array.from(joined.data)).toEqual([...a.data.subarray(0, 2), ...b.data.subarray(0, 3), ...a.data.subarray(2, 4), ...b.data.subarray(3, 6)]);
    const c = randomTensor(rng, [2, 2]);
    const sum = addTensors([a, c, a]);
    expect(Array.from(sum.data)).toEqual(Array.from(a.data, (v, i) => Math.fround(Math.fround(v + c.data[i]) + v)));
  });
});

describe("graph models", () => {
  it("compute what their wiring says: a residual block's output is the sum of its branches", () => {
    const spec: ModelSpec = {
      inputShape: [3],
      layers: [
        { type: "dense", units: 3, activation: "tanh", name: "branch" },
        { type: "add", inputs: ["input", "branch"] },
      ],
    };
    const model = createModel(spec, 5);
    const x = new Float32Array([0.5, -1, 2, 0.1, 0.2, -0.3]);
    const out = model.predict(x, 2);
    const branch = createModel({ inputShape: [3], layers: [{ type: "dense", units: 3, activation: "tanh" }] }, 5).predict(x, 2);
    expect(Array.from(out)).toEqual(Array.from(x, (v, i) => Math.fround(v + branch[i])));
  });

  it("pass a finite-difference check through a whole graph: residual, concatenation and batchNorm in training mode", () => {
    const spec: ModelSpec = {
      inputShape: [5],
      layers: [
        { type: "dense", units: 4, activation: "tanh", name: "stem" },
        { type: "batchNorm", name: "norm" },
        { type: "dense", units: 4, activation: "gelu", name: "branch" },
        { type: "add", inputs: ["stem", "branch"], name: "res" },
        { type: "concatenate", inputs: ["res", "input", "norm"] },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    };
    const network = createModel(spec, 3) as NeuralNetwork;
    const x = randomTensor(new Prng(23), [4, 5]);
    const beforeForward = () => {
      network.context.training = true;
    };
    const weights = network.weights.filter((w) => w.trainable).map((w) => w.tensor);
    checkGradients("graph model", () => network.buildForward(x, false), [x, ...weights], { beforeForward, maxElementsPerInput: 15 });
  });

  it("train: the same seed gives the same losses and weights bit for bit, and every weight moves", async () => {
    const rng = new Prng(8);
    const data = { x: Float32Array.from({ length: 6 * 40 }, () => rng.nextFloat()), y: Float32Array.from({ length: 40 }, () => rng.nextInt(3)), numSamples: 40 };
    const config: TrainingConfig = { epochs: 3, batchSize: 8, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } };
    const [first, second] = [createModel(residual, 4) as NeuralNetwork, createModel(residual, 4) as NeuralNetwork];
    const before = first.weights.map((w) => Float32Array.from(w.tensor.data));
    const results = [await fit(first, data, config), await fit(second, data, config)];
    expect(results[0].epochs.map((e) => e.loss)).toEqual(results[1].epochs.map((e) => e.loss));
    first.weights.forEach((w, i) => expect(w.tensor.data).toEqual(second.weights[i].tensor.data));
    first.weights.forEach((w, i) => expect(w.tensor.data, w.name).not.toEqual(before[i]));
  });

  it("match TensorFlow.js's functional model on the same weights: outputs, one SGD step's loss, outputs after it", async () => {
    const spec: ModelSpec = {
      inputShape: [6],
      layers: [
        { type: "dense", units: 8, activation: "relu", name: "stem" },
        { type: "dense", units: 8, activation: "tanh", name: "branch" },
        { type: "add", inputs: ["stem", "branch", "stem"], name: "res" },
        { type: "concatenate", inputs: ["res", "input"] },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    };
    const report = await tfjsParity(spec, { classes: 3 });
    console.log(`graph model vs tfjs: ${JSON.stringify(report)}`);
    expect(report.forward).toBeLessThan(1e-5);
    expect(report.loss).toBeLessThan(1e-4);
    expect(report.afterStep).toBeLessThan(1e-5);
  });

  it("a residual MLP on digits reaches at least the accuracy of the plain MLP of the same size", async () => {
    const { train, test } = mnistSplit(4000, 1000, 11);
    // A stem and four blocks of two layers (relu, then linear): the residual model adds each block's
    // output to its input, with the block's last kernel starting at zero (each block starts as the identity).
    const blocks = 4;
    const stem: LayerSpec = { type: "dense", units: 32, activation: "relu", kernelInitializer: "heNormal", name: "r0" };
    const block = (i: number, zeroInit: boolean): LayerSpec[] => [
      { type: "dense", units: 32, activation: "relu", kernelInitializer: "heNormal", name: `a${i}` },
      { type: "dense", units: 32, kernelInitializer: zeroInit ? "zeros" : "glorotUniform", name: `b${i}` },
    ];
    const head: LayerSpec = { type: "dense", units: 10, activation: "softmax" };
    const plain: ModelSpec = { inputShape: [784], layers: [stem, ...Array.from({ length: blocks }, (_, i) => block(i + 1, false)).flat(), head] };
    const layers: LayerSpec[] = [stem];
    for (let i = 1; i <= blocks; i++) {
      const [a, b] = block(i, true);
      layers.push({ ...a, inputs: [`r${i - 1}`] }, b, { type: "add", inputs: [`r${i - 1}`, `b${i}`], name: `r${i}` });
    }
    const withSkips: ModelSpec = { inputShape: [784], layers: [...layers, head] };
    const config: TrainingConfig = { epochs: 4, batchSize: 32, seed: 11, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 2e-3 } };
    const accuracy = async (spec: ModelSpec) => {
      const model = createModel(spec, config.seed);
      await fit(model, train, config);
      return accuracyOf(model.predict(test.x, test.numSamples), test.y, 10);
    };
    const [plainAccuracy, residualAccuracy] = [await accuracy(plain), await accuracy(withSkips)];
    console.log(`digits, 4 epochs: plain MLP ${plainAccuracy}, residual MLP ${residualAccuracy}`);
    expect(createModel(withSkips, 0).parameterCount).toBe(createModel(plain, 0).parameterCount);
    expect(residualAccuracy).toBeGreaterThanOrEqual(plainAccuracy);
    expect(residualAccuracy).toBeGreaterThan(0.9);
  }, 60_000);
});
