import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createModel, fit, summarizeModel, useKernelPath, type KernelPath, type ModelSpec } from "../../src/engine/index.js";
import type { NeuralNetwork } from "../../src/engine/model.js";
import { gru } from "../../src/engine/ops/gru.js";
import { lstm } from "../../src/engine/ops/lstm.js";
import { Prng } from "../../src/engine/random.js";
import type { Tensor } from "../../src/engine/tensor.js";
import { accuracyOf } from "./helpers/datasets.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { specError } from "./helpers/spec-error.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";

// LSTM and GRU: against a plain-loop reference in float64, by finite
// differences, against TensorFlow.js on the same weights, and on a task only
// order can solve.

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The textbook recurrences, sample by sample and step by step, in float64. */
function reference(kind: "lstm" | "gru", x: Tensor, kernel: Tensor, recurrent: Tensor, bias: Tensor, returnSequences: boolean): number[] {
  const [batch, steps, features] = x.shape;
  const units = recurrent.shape[0];
  const width = kernel.shape[1];
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let h = new Array<number>(units).fill(0);
    let c = new Array<number>(units).fill(0);
    const sequence: number[][] = [];
    for (let t = 0; t < steps; t++) {
      const xw = Array.from({ length: width }, (_, j) => {
        let sum = bias.data[j];
        for (let f = 0; f < features; f++) sum += x.data[(b * steps + t) * features + f] * kernel.data[f * width + j];
        return sum;
      });
      const rec = (vector: number[], j: number) => vector.reduce((sum, v, k) => sum + v * recurrent.data[k * width + j], 0);
      if (kind === "lstm") {
        const z = xw.map((v, j) => v + rec(h, j));
        const gate = (g: number, u: number) => z[g * units + u];
        c = c.map((cPrev, u) => sigmoid(gate(1, u)) * cPrev + sigmoid(gate(0, u)) * Math.tanh(gate(2, u)));
        h = c.map((cNow, u) => sigmoid(gate(3, u)) * Math.tanh(cNow));
      } else {
        const zr = Array.from({ length: 2 * units }, (_, j) => sigmoid(xw[j] + rec(h, j)));
        const rh = h.map((v, u) => zr[units + u] * v);
        h = h.map((hPrev, u) => {
          const hh = Math.tanh(xw[2 * units + u] + rec(rh, 2 * units + u));
          return zr[u] * hPrev + (1 - zr[u]) * hh;
        });
      }
      sequence.push(h);
    }
    out.push(...(returnSequences ? sequence.flat() : h));
  }
  return out;
}

function weightsFor(kind: "lstm" | "gru", features: number, units: number, seed: number): [Tensor, Tensor, Tensor] {
  const width = (kind === "lstm" ? 4 : 3) * units;
  const rng = new Prng(seed);
  return [randomTensor(rng, [features, width]), randomTensor(rng, [units, width]), randomTensor(rng, [width])];
}

describe.each(["typescript", "wasm"] as KernelPath[])("lstm and gru on the %s kernels", (path) => {
  afterEach(() => void useKernelPath("wasm"));

  it.each([
    ["lstm", false],
    ["lstm", true],
    ["gru", false],
    ["gru", true],
  ] as const)("%s (returnSequences %s) equals the plain-loop reference", (kind, returnSequences) => {
    useKernelPath(path);
    const x = randomTensor(new Prng(81), [3, 5, 4], false);
    const [kernel, recurrent, bias] = weightsFor(kind, 4, 6, 82);
    const out = (kind === "lstm" ? lstm : gru)(x, kernel, recurrent, bias, returnSequences);
    expect(out.shape).toEqual(returnSequences ? [3, 5, 6] : [3, 6]);
    const expected = reference(kind, x, kernel, recurrent, bias, returnSequences);
    const worst = Math.max(...Array.from(out.data, (v, i) => Math.abs(v - expected[i])));
    expect(worst).toBeLessThan(2e-6);
  });
});

describe("lstm and gru", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it.each([
    ["lstm", false],
    ["lstm", true],
    ["gru", false],
    ["gru", true],
  ] as const)("%s (returnSequences %s): gradients of input, kernels and bias by finite differences through time", (kind, returnSequences) => {
    const x = randomTensor(new Prng(83), [2, 4, 3]);
    const op = kind === "lstm" ? lstm : gru;
    checkGradients(kind, ([input, kernel, recurrent, bias]) => op(input, kernel, recurrent, bias, returnSequences), [x, ...weightsFor(kind, 3, 5, 84)]);
  });

  it("checks its spec: a sequence input, units in bounds, booleans", () => {
    const error = (spec: ModelSpec) => specError(() => summarizeModel(spec));
    expect(error({ inputShape: [4], layers: [{ type: "lstm", units: 3 }] })).toMatchObject({ path: "/model/layers/0", message: expect.stringMatching(/needs a sequence input \[steps, features\], got \[4\]/) });
    expect(error({ inputShape: [4, 2], layers: [{ type: "gru", units: 0 }] }).path).toBe("/model/layers/0/units");
    expect(error({ inputShape: [4, 2], layers: [{ type: "lstm", units: 2, returnSequences: "yes" as never }] }).path).toBe("/model/layers/0/returnSequences");
    const summary = summarizeModel({ inputShape: [10, 3], layers: [{ type: "lstm", units: 8, returnSequences: true }, { type: "gru", units: 4 }, { type: "dense", units: 2, activation: "softmax" }] });
    expect(summary.map((s) => [s.outputShape, s.parameterCount])).toEqual([
      [[10, 8], 4 * 8 * (3 + 8 + 1)],
      [[4], 3 * 4 * (8 + 4 + 1)],
      [[2], 10],
    ]);
  });

  it.each([
    ["lstm", [{ type: "lstm", units: 6 }]],
    ["gru", [{ type: "gru", units: 6 }]],
    ["stacked lstm, gru", [{ type: "lstm", units: 5, returnSequences: true }, { type: "gru", units: 4, returnSequences: true }, { type: "flatten" }]],
  ] as const)("%s matches TensorFlow.js on the same weights: outputs, one SGD step's loss, outputs after it", async (_name, recurrentLayers) => {
    const spec = { inputShape: [7, 3], layers: [...recurrentLayers, { type: "dense", units: 3, activation: "softmax" }] } as ModelSpec;
    const report = await tfjsParity(spec, { classes: 3 });
    console.log(`${_name} vs tfjs: ${JSON.stringify(report)}`);
    expect(report.forward).toBeLessThan(1e-5);
    expect(report.loss).toBeLessThan(1e-4);
    expect(report.afterStep).toBeLessThan(1e-5);
  });

  it("learns which of two markers comes first, which a bag of the same steps cannot tell", async () => {
    // 12 steps, one-hot of {noise, A, B}: one A and one B at random places. Label: A before B.
    // Every sequence holds the same values in some order, so without order there is nothing to learn.
    const rng = new Prng(85);
    const steps = 12;
    const samples = 1400;
    const x = new Float32Array(samples * steps * 3);
    const y = new Float32Array(samples);
    for (let s = 0; s < samples; s++) {
      const a = rng.nextInt(steps);
      let b = rng.nextInt(steps - 1);
      if (b >= a) b++;
      for (let t = 0; t < steps; t++) x[(s * steps + t) * 3 + (t === a ? 1 : t === b ? 2 : 0)] = 1;
      y[s] = a < b ? 1 : 0;
    }
    const train = { x: x.subarray(0, 1200 * steps * 3), y: y.subarray(0, 1200), numSamples: 1200 };
    const config = { epochs: 25, batchSize: 32, seed: 6, loss: "sparseCategoricalCrossentropy" as const, optimizer: { type: "adam" as const, learningRate: 0.01 } };
    const heldOut = async (layers: ModelSpec["layers"]) => {
      const model = createModel({ inputShape: [steps, 3], layers: [...layers, { type: "dense", units: 2, activation: "softmax" }] }, 6) as NeuralNetwork;
      await fit(model, train, config);
      return accuracyOf(model.predict(x.subarray(1200 * steps * 3), 200), y.subarray(1200), 2);
    };
    const lstmAccuracy = await heldOut([{ type: "lstm", units: 16 }]);
    const gruAccuracy = await heldOut([{ type: "gru", units: 16 }]);
    const bagAccuracy = await heldOut([{ type: "conv1d", filters: 16, kernelSize: 1, activation: "relu" }, { type: "globalAveragePooling1d" }, { type: "dense", units: 16, activation: "relu" }]);
    console.log(`marker order, held-out accuracy: lstm ${lstmAccuracy.toFixed(3)}, gru ${gruAccuracy.toFixed(3)}, bag of steps ${bagAccuracy.toFixed(3)}`);
    expect(lstmAccuracy).toBeGreaterThan(0.95);
    expect(gruAccuracy).toBeGreaterThan(0.95);
    expect(bagAccuracy).toBeLessThan(0.62);
  });
});
