import * as tf from "@tensorflow/tfjs";
import type { TfBackend } from "./tfjs.js";

/**
 * The benchmark's CNN (conv 3x3x8 valid -> relu -> maxPool 2 -> dense 10,
 * softmax cross-entropy, SGD) written with tfjs ops, from given initial
 * weights [kernel [3,3,1,8], bias [8], dense kernel [1352,10], dense bias [10]].
 * tfjs-wasm 4.22 has no Conv2DBackpropFilter kernel, so on wasm the convolution
 * is tf.conv3d over a depth of 1 (its Conv3DBackpropFilterV2 exists); on cpu it is tf.conv2d.
 */
export async function trainTfjsCnn(
  backend: TfBackend,
  weights: Float32Array[],
  data: { x: Float32Array; oneHot: Float32Array },
  samples: { warmup: number; timed: number },
  learningRate: number,
  batchSize: number,
): Promise<{ samplesPerSecond: number; warmupLoss: number }> {
  const kernel = tf.variable(tf.tensor(weights[0], [3, 3, 1, 8]));
  const kernel3d = tf.variable(tf.tensor(weights[0], [1, 3, 3, 1, 8]));
  const bias = tf.variable(tf.tensor(weights[1], [8]));
  const denseKernel = tf.variable(tf.tensor(weights[2], [1352, 10]));
  const denseBias = tf.variable(tf.tensor(weights[3], [10]));
  const variables = [backend === "wasm" ? kernel3d : kernel, bias, denseKernel, denseBias];
  const optimizer = tf.train.sgd(learningRate);

  const logits = (x: tf.Tensor): tf.Tensor2D => {
    const rows = x.shape[0];
    const conv =
      backend === "wasm"
        ? tf.conv3d(x.reshape([rows, 1, 28, 28, 1]) as tf.Tensor5D, kernel3d as tf.Tensor5D, [1, 1, 1], "valid").reshape([rows, 26, 26, 8])
        : tf.conv2d(x.reshape([rows, 28, 28, 1]) as tf.Tensor4D, kernel as tf.Tensor4D, 1, "valid");
    const pooled = tf.maxPool(tf.relu(tf.add(conv, bias)) as tf.Tensor4D, 2, 2, "valid");
    return tf.add(tf.matMul(pooled.reshape([rows, 1352]), denseKernel), denseBias) as tf.Tensor2D;
  };

  /** Trains on samples [0, count) in batches; returns the mean loss. */
  const run = async (count: number): Promise<number> => {
    let lossSum = 0;
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      const x = tf.tensor2d(data.x.subarray(start * 784, (start + rows) * 784), [rows, 784]);
      const y = tf.tensor2d(data.oneHot.subarray(start * 10, (start + rows) * 10), [rows, 10]);
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar, true, variables);
      lossSum += (await loss!.data())[0] * rows;
      loss!.dispose();
      x.dispose();
      y.dispose();
    }
    return lossSum / count;
  };

  const warmupLoss = await run(samples.warmup);
  const started = performance.now();
  await run(samples.timed);
  const seconds = (performance.now() - started) / 1000;
  for (const v of [kernel, kernel3d, bias, denseKernel, denseBias]) v.dispose();
  optimizer.dispose();
  return { samplesPerSecond: samples.timed / seconds, warmupLoss };
}
