import * as tf from "@tensorflow/tfjs";
import { createModel, exportTfjs, summarizeModel, TRAINING_FLOPS_FACTOR, type ModelSpec } from "../src/engine/index.js";
import type { BenchData } from "./data.js";
import { stepOf } from "./tfjs.js";
import type { TrainingStep } from "./timing.js";

// The sequence models of `npm run bench` and their TensorFlow.js counterparts on the same initial weights.

/** LSTM over 32 steps of 16 features, 64 units, then a softmax over 10 classes. */
export const LSTM_SPEC: ModelSpec = {
  inputShape: [32, 16],
  layers: [
    { type: "lstm", units: 64 },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

/**
 * A transformer encoder block over 32 steps of width 64: 4-head self-attention
 * (keyDim 16), add & layerNormalization, a feed-forward 64 -> 128 -> 64 per
 * step (conv1d with kernelSize 1), add & layerNormalization, then average
 * pooling over the steps and a softmax over 10 classes.
 */
export const TRANSFORMER_SPEC: ModelSpec = {
  inputShape: [32, 64],
  layers: [
    { type: "multiHeadAttention", numHeads: 4, keyDim: 16, name: "attended" },
    { type: "add", inputs: ["input", "attended"] },
    { type: "layerNormalization", name: "block" },
    { type: "conv1d", filters: 128, kernelSize: 1, activation: "relu" },
    { type: "conv1d", filters: 64, kernelSize: 1, name: "feedForward" },
    { type: "add", inputs: ["block", "feedForward"] },
    { type: "layerNormalization" },
    { type: "globalAveragePooling1d" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

/** Training FLOPs of one sample: the forward FLOPs of every layer (as /v1/models reports them), times the training factor. */
export function trainingFlopsPerSample(spec: ModelSpec): number {
  return TRAINING_FLOPS_FACTOR * summarizeModel(spec).reduce((sum, layer) => sum + layer.flops, 0);
}

/**
 * tfjs-layers' LSTM, loaded from descent's TensorFlow.js export of the same
 * model and seed (so the same weights), trained with model.trainOnBatch
 * (which reads the loss back).
 */
export async function tfjsLayersStep(spec: ModelSpec, seed: number, data: BenchData, optimizer: tf.Optimizer): Promise<TrainingStep> {
  const { modelJson, weightsBin } = exportTfjs(createModel(spec, seed));
  const json = JSON.parse(JSON.stringify(modelJson)) as tf.io.ModelJSON;
  const weightData = weightsBin.buffer.slice(weightsBin.byteOffset, weightsBin.byteOffset + weightsBin.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((group) => group.weights), weightData }));
  model.compile({ optimizer, loss: "sparseCategoricalCrossentropy" });
  const f = data.features;
  return async (start, rows) => {
    const x = tf.tensor(data.x.subarray(start * f, (start + rows) * f), [rows, ...spec.inputShape]);
    const y = tf.tensor(data.labels.subarray(start, start + rows), [rows, 1]);
    const loss = (await model.trainOnBatch(x, y)) as number;
    x.dispose();
    y.dispose();
    return loss;
  };
}

/**
 * TRANSFORMER_SPEC in tfjs ops (tfjs-layers has no MultiHeadAttention), from
 * descent's initial weights in layer order: query, key, value, output
 * (kernel, bias each), layerNorm (gamma, beta), the two conv1d (kernel
 * [1, in, out], bias), layerNorm, dense (kernel, bias).
 */
export function tfjsTransformerStep(weights: Float32Array[], data: BenchData, optimizer: tf.Optimizer): TrainingStep {
  const [steps, dim] = TRANSFORMER_SPEC.inputShape;
  const heads = 4;
  const keyDim = 16;
  const shapes = [[dim, heads * keyDim], [heads * keyDim], [dim, heads * keyDim], [heads * keyDim], [dim, heads * keyDim], [heads * keyDim], [heads * keyDim, dim], [dim], [dim], [dim], [dim, 128], [128], [128, dim], [dim], [dim], [dim], [dim, 10], [10]];
  if (weights.length !== shapes.length) throw new Error(`the transformer has ${weights.length} weights, expected ${shapes.length}`);
  const v = weights.map((w, i) => tf.variable(tf.tensor(w, shapes[i])));
  const layerNorm = (x: tf.Tensor2D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor2D => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), beta) as tf.Tensor2D;
  };
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    const batch = x.shape[0];
    const rows = x.reshape([batch * steps, dim]) as tf.Tensor2D;
    const split = (w: tf.Variable, b: tf.Variable) => tf.add(tf.matMul(rows, w as tf.Tensor2D), b).reshape([batch, steps, heads, keyDim]).transpose([0, 2, 1, 3]);
    const q = split(v[0], v[1]);
    const k = split(v[2], v[3]);
    const values = split(v[4], v[5]);
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(keyDim));
    const attended = tf.matMul(tf.softmax(scores), values).transpose([0, 2, 1, 3]).reshape([batch * steps, heads * keyDim]) as tf.Tensor2D;
    const projected = tf.add(tf.matMul(attended, v[6] as tf.Tensor2D), v[7]) as tf.Tensor2D;
    const block = layerNorm(tf.add(rows, projected), v[8], v[9]);
    const hidden = tf.relu(tf.add(tf.matMul(block, v[10] as tf.Tensor2D), v[11])) as tf.Tensor2D;
    const fed = tf.add(tf.matMul(hidden, v[12] as tf.Tensor2D), v[13]) as tf.Tensor2D;
    const out = layerNorm(tf.add(block, fed), v[14], v[15]);
    const pooled = tf.mean(out.reshape([batch, steps, dim]), 1) as tf.Tensor2D;
    return tf.add(tf.matMul(pooled, v[16] as tf.Tensor2D), v[17]) as tf.Tensor2D;
  };
  return stepOf(logits, v, data, optimizer);
}
