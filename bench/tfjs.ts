import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export type TfBackend = "cpu" | "wasm";

export async function useBackend(backend: TfBackend): Promise<void> {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend ${backend} is not available`);
  await tf.ready();
}

/** The same MLP in tfjs-layers, with the given initial weights (kernel, bias per layer). */
function buildMlp(weights: Float32Array[]): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }));
  model.add(tf.layers.dense({ units: 64, activation: "relu" }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  const shapes = [[784, 128], [128], [128, 64], [64], [64, 10], [10]];
  model.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])));
  return model;
}

/** Trains one warm-up epoch, then `epochs` timed ones, without shuffling (the same batches as descent's run). */
export async function trainTfjs(
  weights: Float32Array[],
  data: { x: Float32Array; oneHot: Float32Array; numSamples: number },
  optimizer: "sgd" | "adam",
  learningRate: number,
  batchSize: number,
  epochs: number,
): Promise<{ samplesPerSecond: number; loss: number }> {
  const model = buildMlp(weights);
  model.compile({ optimizer: optimizer === "sgd" ? tf.train.sgd(learningRate) : tf.train.adam(learningRate), loss: "categoricalCrossentropy" });
  const x = tf.tensor2d(data.x, [data.numSamples, 784]);
  const y = tf.tensor2d(data.oneHot, [data.numSamples, 10]);
  const first = await model.fit(x, y, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  const started = performance.now();
  await model.fit(x, y, { batchSize, epochs, shuffle: false, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  x.dispose();
  y.dispose();
  model.dispose();
  return { samplesPerSecond: (data.numSamples * epochs) / seconds, loss: first.history.loss[0] as number };
}

export function tfjsGemmGflops(m: number, n: number, k: number, transA: boolean, transB: boolean, budgetMs = 400): number {
  const a = tf.tensor2d(Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * 0.5), transA ? [k, m] : [m, k]);
  const b = tf.tensor2d(Float32Array.from({ length: k * n }, (_, i) => Math.cos(i) * 0.5), transB ? [n, k] : [k, n]);
  const run = () => tf.tidy(() => tf.matMul(a, b, transA, transB).dataSync());
  run();
  let reps = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs || reps < 1) {
    run();
    reps++;
  }
  const seconds = (performance.now() - started) / 1000;
  a.dispose();
  b.dispose();
  return (2 * m * n * k * reps) / seconds / 1e9;
}
