import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, type ModelSpec } from "../../src/engine/index.js";
import { layerNorm } from "../../src/engine/ops/layer-norm.js";
import { Prng } from "../../src/engine/random.js";
import { Tensor } from "../../src/engine/tensor.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";

/** Layer normalisation written out directly, in float64, one row at a time. */
function reference(x: Float32Array, cols: number, gamma: Float32Array, beta: Float32Array, epsilon: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < x.length; start += cols) {
    const row = Array.from(x.subarray(start, start + cols));
    const mean = row.reduce((a, b) => a + b, 0) / cols;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
    row.forEach((v, j) => out.push(((v - mean) / Math.sqrt(variance + epsilon)) * gamma[j] + beta[j]));
  }
  return out;
}

describe("layerNormalization", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("equals a direct implementation, on rank-2 and image-shaped inputs", () => {
    const rng = new Prng(41);
    for (const shape of [[5, 7], [2, 3, 4, 6]]) {
      const x = randomTensor(rng, shape, false, -3, 3);
      const cols = shape[shape.length - 1];
      const gamma = randomTensor(rng, [cols], false);
      const beta = randomTensor(rng, [cols], false);
      const ours = layerNorm(x, gamma, beta, 1e-3).data;
      reference(x.data, cols, gamma.data, beta.data, 1e-3).forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 5));
    }
  });

  it("gradients of input, gamma and beta by finite differences", () => {
    const rng = new Prng(42);
    for (const shape of [[4, 6], [2, 3, 5], [3, 1, 2, 4]]) {
      const cols = shape[shape.length - 1];
      checkGradients("layerNorm", ([x, gamma, beta]) => layerNorm(x, gamma, beta, 1e-3), [randomTensor(rng, shape), randomTensor(rng, [cols]), randomTensor(rng, [cols])]);
    }
  });

  it("a constant row normalises to beta (no division by zero)", () => {
    const x = Tensor.leaf(new Float32Array([2, 2, 2, 2]), [1, 4]);
    const beta = Tensor.leaf(new Float32Array([0.5, -1, 0, 3]), [4]);
    expect(Array.from(layerNorm(x, Tensor.leaf(new Float32Array([1, 1, 1, 1]), [4]), beta, 1e-3).data)).toEqual([0.5, -1, 0, 3]);
  });

  it("computes the same in training and at evaluation, whatever the batch", () => {
    const model = createModel({ inputShape: [6], layers: [{ type: "dense", units: 5 }, { type: "layerNormalization" }] }, 2);
    const rng = new Prng(43);
    const x = Float32Array.from({ length: 12 }, () => rng.nextFloat());
    const both = model.predict(x, 2);
    expect(Array.from(model.predict(x.subarray(6), 1))).toEqual(Array.from(both.subarray(5)));
  });

  it("matches TensorFlow.js on the same weights: outputs, one SGD step's loss, outputs after the step", async () => {
    const cases: [ModelSpec, number][] = [
      [{ inputShape: [8], layers: [{ type: "dense", units: 12, activation: "relu" }, { type: "layerNormalization" }, { type: "dense", units: 4, activation: "softmax" }] }, 4],
      // On a sequence-like rank-2 input each row is normalised; then flattened into the head.
      [{ inputShape: [5, 6], layers: [{ type: "layerNormalization", epsilon: 1e-5 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] }, 3],
      [{ inputShape: [6, 6, 3], layers: [{ type: "conv2d", filters: 4, kernelSize: 3, activation: "tanh" }, { type: "layerNormalization" }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] }, 3],
    ];
    for (const [spec, classes] of cases) {
      const report = await tfjsParity(spec, { classes });
      console.log(`layerNormalization vs tfjs, input [${spec.inputShape.join(", ")}]: ${JSON.stringify(report)}`);
      expect(report.forward).toBeLessThan(1e-5);
      expect(report.loss).toBeLessThan(1e-4);
      expect(report.afterStep).toBeLessThan(1e-5);
    }
  });
});
