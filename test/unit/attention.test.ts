import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, exportTfjs, ExportError, fit, summarizeModel, type LayerSpec, type ModelSpec } from "../../src/engine/index.js";
import { multiHeadAttentionLayer } from "../../src/engine/layers/attention-layers.js";
import type { NeuralNetwork } from "../../src/engine/model.js";
import { addPositions } from "../../src/engine/ops/add-positions.js";
import { attention } from "../../src/engine/ops/attention.js";
import { Prng } from "../../src/engine/random.js";
import { backward, makeNode, Tensor } from "../../src/engine/tensor.js";
import { accuracyOf } from "./helpers/datasets.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { markerTokens, transformerSpec } from "./helpers/sequence-tasks.js";
import { specError } from "./helpers/spec-error.js";

// Self-attention and position embeddings: against plain loops, by finite
// differences, against the same computation written with TensorFlow.js ops
// (tfjs-layers has no MultiHeadAttention), causality, and a transformer block
// built from the spec that learns an order task.

type AttentionSpec = Extract<LayerSpec, { type: "multiHeadAttention" }>;
const context = { training: true, rng: new Prng(1) };

/** softmax(Q K^T / sqrt(d)) V for one sample and head, in float64 loops. */
function referenceAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, causal: boolean): number[] {
  const [batch, steps, qWidth] = q.shape;
  const d = qWidth / heads;
  const dv = v.shape[2] / heads;
  const out = new Array<number>(batch * steps * heads * dv).fill(0);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < steps; i++) {
        const scores = Array.from({ length: steps }, (_, j) => {
          if (causal && j > i) return -Infinity;
          let dot = 0;
          for (let c = 0; c < d; c++) dot += q.data[(b * steps + i) * qWidth + h * d + c] * k.data[(b * steps + j) * qWidth + h * d + c];
          return dot / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - max));
        const sum = weights.reduce((a, w) => a + w, 0);
        for (let j = 0; j < steps; j++) {
          for (let c = 0; c < dv; c++) out[(b * steps + i) * heads * dv + h * dv + c] += (weights[j] / sum) * v.data[(b * steps + j) * heads * dv + h * dv + c];
        }
      }
    }
  }
  return out;
}

function layerWeights(spec: AttentionSpec, inputShape: number[], seed: number): Tensor[] {
  const rng = new Prng(seed);
  return multiHeadAttentionLayer.weights(spec, inputShape).map((w) => randomTensor(rng, w.shape));
}

/** The same layer in TensorFlow.js ops, on the same weights. */
function tfjsAttention(spec: AttentionSpec, x: tf.Tensor3D, weights: tf.Tensor[]): tf.Tensor {
  const [batch, steps, dim] = x.shape;
  const heads = spec.numHeads;
  const [wq, bq, wk, bk, wv, bv, wo, bo] = weights;
  const rows = x.reshape([batch * steps, dim]);
  const split = (w: tf.Tensor, b: tf.Tensor, size: number) => tf.add(tf.matMul(rows, w as tf.Tensor2D), b).reshape([batch, steps, heads, size]).transpose([0, 2, 1, 3]);
  const keyDim = spec.keyDim;
  const valueDim = spec.valueDim ?? keyDim;
  const q = split(wq, bq, keyDim);
  const k = split(wk, bk, keyDim);
  const v = split(wv, bv, valueDim);
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(keyDim));
  if (spec.causal) scores = tf.add(scores, tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([steps, steps]), -1, 0)), -1e9));
  const attended = tf.matMul(tf.softmax(scores), v).transpose([0, 2, 1, 3]).reshape([batch * steps, heads * valueDim]);
  return tf.add(tf.matMul(attended, wo as tf.Tensor2D), bo).reshape([batch, steps, -1]);
}

describe("multiHeadAttention", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it.each([false, true])("the attention op equals plain loops (causal %s)", (causal) => {
    const rng = new Prng(101);
    const q = randomTensor(rng, [2, 5, 6], false);
    const k = randomTensor(rng, [2, 5, 6], false);
    const v = randomTensor(rng, [2, 5, 4], false);
    const out = attention(q, k, v, 2, causal);
    const expected = referenceAttention(q, k, v, 2, causal);
    expect(Math.max(...Array.from(out.data, (value, i) => Math.abs(value - expected[i])))).toBeLessThan(1e-6);
  });

  it.each([false, true])("gradients of queries, keys and values by finite differences (causal %s)", (causal) => {
    const rng = new Prng(102);
    checkGradients("attention", ([q, k, v]) => attention(q, k, v, 2, causal), [randomTensor(rng, [2, 4, 6]), randomTensor(rng, [2, 4, 6]), randomTensor(rng, [2, 4, 4])]);
  });

  it("the whole layer by finite differences: input, every kernel and bias", () => {
    const spec: AttentionSpec = { type: "multiHeadAttention", numHeads: 2, keyDim: 3, valueDim: 2, outputDim: 5 };
    const x = randomTensor(new Prng(103), [2, 4, 3]);
    checkGradients("multiHeadAttention", ([input, ...weights]) => multiHeadAttentionLayer.apply(spec, input, weights, context, false, false), [x, ...layerWeights(spec, [4, 3], 104)]);
  });

  it("position embeddings: each sample gets the table added, the table the sum of the gradients", () => {
    const rng = new Prng(105);
    checkGradients("addPositions", ([x, table]) => addPositions(x, table), [randomTensor(rng, [3, 4, 2]), randomTensor(rng, [4, 2])]);
  });

  it.each([false, true])("equals the same computation in TensorFlow.js ops on the same weights: outputs and every gradient (causal %s)", (causal) => {
    const spec: AttentionSpec = { type: "multiHeadAttention", numHeads: 2, keyDim: 4, causal };
    const x = randomTensor(new Prng(106), [3, 6, 5]);
    const weights = layerWeights(spec, [6, 5], 107).map((w) => Tensor.leaf(w.data, w.shape, true));
    const out = multiHeadAttentionLayer.apply(spec, x, weights, context, false, false);
    const projection = Float32Array.from({ length: out.size }, (_, i) => Math.sin(i));
    const loss = makeNode("loss", [], [out], (node) => (node.data[0] = out.data.reduce((s, v, i) => s + v * projection[i], 0)), (node) => out.grad!.forEach((_, i) => (out.grad![i] += node.grad![0] * projection[i])));
    backward(loss);

    const theirInput = tf.tensor3d(x.data, [3, 6, 5]);
    const theirWeights = weights.map((w) => tf.tensor(w.data, [...w.shape]));
    const theirOut = tfjsAttention(spec, theirInput, theirWeights);
    const forward = Math.max(...Array.from(theirOut.dataSync(), (v, i) => Math.abs(v - out.data[i])));
    const grads = tf.grads((input: tf.Tensor, ...ws: tf.Tensor[]) => tf.sum(tf.mul(tfjsAttention(spec, input as tf.Tensor3D, ws), tf.tensor(projection, theirOut.shape))))([theirInput, ...theirWeights]);
    const gradient = Math.max(...grads.map((g, i) => Math.max(...Array.from(g.dataSync(), (v, j) => Math.abs(v - (i === 0 ? x : weights[i - 1]).grad![j])))));
    console.log(`multiHeadAttention (causal ${causal}) vs tfjs ops: outputs ${forward.toExponential(2)}, gradients ${gradient.toExponential(2)}`);
    expect(forward).toBeLessThan(1e-5);
    expect(gradient).toBeLessThan(1e-4);
  });

  it("with causal, a step's output does not change when later steps do", () => {
    const spec: AttentionSpec = { type: "multiHeadAttention", numHeads: 2, keyDim: 3, causal: true };
    const weights = layerWeights(spec, [5, 4], 108);
    const x = randomTensor(new Prng(109), [1, 5, 4], false);
    const changed = Tensor.leaf(Float32Array.from(x.data, (v, i) => (i >= 3 * 4 ? v + 1 : v)), [1, 5, 4]);
    const before = multiHeadAttentionLayer.apply(spec, x, weights, context, false, false).data;
    const after = multiHeadAttentionLayer.apply(spec, changed, weights, context, false, false).data;
    expect(Array.from(after.subarray(0, 3 * 4))).toEqual(Array.from(before.subarray(0, 3 * 4)));
    expect(after[3 * 4]).not.toBe(before[3 * 4]);
  });

  it("checks its spec with paths, and its export is refused naming the layer", () => {
    const error = (layers: ModelSpec["layers"], inputShape = [6, 4]) => specError(() => summarizeModel({ inputShape, layers }));
    expect(error([{ type: "multiHeadAttention", numHeads: 2, keyDim: 3 }], [8]).message).toMatch(/needs a sequence input \[steps, dim\]/);
    expect(error([{ type: "multiHeadAttention", numHeads: 0, keyDim: 3 }]).path).toBe("/model/layers/0/numHeads");
    expect(error([{ type: "multiHeadAttention", numHeads: 2, keyDim: 3, causal: 1 as never }]).path).toBe("/model/layers/0/causal");
    expect(summarizeModel({ inputShape: [6, 4], layers: [{ type: "positionEmbedding" }, { type: "multiHeadAttention", numHeads: 2, keyDim: 3 }] }).map((s) => [s.outputShape, s.parameterCount])).toEqual([
      [[6, 4], 24],
      [[6, 4], 3 * (4 * 6 + 6) + (6 * 4 + 4)],
    ]);
    const model = createModel({ inputShape: [6, 4], layers: [{ type: "multiHeadAttention", numHeads: 2, keyDim: 3 }, { type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }] }, 1);
    const refused = (() => {
      try {
        exportTfjs(model);
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(ExportError);
    expect((refused as ExportError).message).toMatch(/layer 0 \(multiHeadAttention\) has no TensorFlow.js layers equivalent/);
  });
});

describe("a transformer block from the spec", () => {
  it("learns which of two tokens comes first", async () => {
    const steps = 8;
    const { x, y } = markerTokens(1700, steps, 10, 110);
    const model = createModel(transformerSpec(steps, 10), 7) as NeuralNetwork;
    await fit(model, { x: x.subarray(0, 1500 * steps), y: y.subarray(0, 1500), numSamples: 1500 }, { epochs: 30, batchSize: 32, seed: 7, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 } });
    const accuracy = accuracyOf(model.predict(x.subarray(1500 * steps), 200), y.subarray(1500), 2);
    console.log(`transformer block, token order, held-out accuracy ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.9);
  });
});
