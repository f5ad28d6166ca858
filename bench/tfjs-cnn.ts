import * as tf from "@tensorflow/tfjs";
import type { BenchData } from "./data.js";
import { stepOf, type TfBackend } from "./tfjs.js";
import type { TrainingStep } from "./timing.js";

/**
 * The benchmark's CNN (conv 3x3x8 valid -> relu -> maxPool 2 -> dense 10,
 * softmax cross-entropy) written with tfjs ops, from given initial weights
 * [kernel [3,3,1,8], bias [8], dense kernel [1352,10], dense bias [10]].
 * tfjs-wasm 4.22 has no Conv2DBackpropFilter kernel, so on wasm the convolution
 * is tf.conv3d over a depth of 1 (its Conv3DBackpropFilterV2 exists); on cpu it is tf.conv2d.
 */
export function tfjsCnnStep(backend: TfBackend, weights: Float32Array[], data: BenchData, optimizer: tf.Optimizer): { step: TrainingStep; dispose(): void } {
  const kernel = backend === "wasm" ? tf.variable(tf.tensor(weights[0], [1, 3, 3, 1, 8])) : tf.variable(tf.tensor(weights[0], [3, 3, 1, 8]));
  const bias = tf.variable(tf.tensor(weights[1], [8]));
  const denseKernel = tf.variable(tf.tensor(weights[2], [1352, 10]));
  const denseBias = tf.variable(tf.tensor(weights[3], [10]));
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    const rows = x.shape[0];
    const conv =
      backend === "wasm"
        ? tf.conv3d(x.reshape([rows, 1, 28, 28, 1]) as tf.Tensor5D, kernel as tf.Tensor5D, [1, 1, 1], "valid").reshape([rows, 26, 26, 8])
        : tf.conv2d(x.reshape([rows, 28, 28, 1]) as tf.Tensor4D, kernel as tf.Tensor4D, 1, "valid");
    const pooled = tf.maxPool(tf.relu(tf.add(conv, bias)) as tf.Tensor4D, 2, 2, "valid");
    return tf.add(tf.matMul(pooled.reshape([rows, 1352]), denseKernel), denseBias) as tf.Tensor2D;
  };
  const variables = [kernel, bias, denseKernel, denseBias];
  return { step: stepOf(logits, variables, data, optimizer), dispose: () => variables.forEach((v) => v.dispose()) };
}
