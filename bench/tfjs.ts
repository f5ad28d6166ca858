import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { BenchData } from "./data.js";
import { gemmGflops, type TrainingStep } from "./timing.js";

export type TfBackend = "cpu" | "wasm";

export async function useBackend(backend: TfBackend): Promise<void> {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend ${backend} is not available`);
  await tf.ready();
}

/** Whether tfjs-wasm runs threads here (in Node it does not: the flag is false whatever setThreadsCount says). */
export function tfjsWasmThreads(): boolean {
  return tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
}

export function tfOptimizer(type: "sgd" | "adam", learningRate: number): tf.Optimizer {
  return type === "sgd" ? tf.train.sgd(learningRate) : tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
}

/**
 * A tfjs training step on dense layers (relu, then logits for softmax
 * cross-entropy on one-hot targets), from the given initial weights
 * [kernel, bias, kernel, bias, ...]; the loss is read back (await data()) every step.
 */
export function tfjsDenseStep(weights: Float32Array[], sizes: number[], data: BenchData, optimizer: tf.Optimizer): { step: TrainingStep; dispose(): void } {
  const variables: tf.Variable[] = [];
  for (let i = 1; i < sizes.length; i++) {
    variables.push(tf.variable(tf.tensor2d(weights[2 * (i - 1)], [sizes[i - 1], sizes[i]])), tf.variable(tf.tensor1d(weights[2 * (i - 1) + 1])));
  }
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    for (let i = 0; i < variables.length; i += 2) {
      h = tf.add(tf.matMul(h, variables[i] as tf.Tensor2D), variables[i + 1]);
      if (i + 2 < variables.length) h = tf.relu(h);
    }
    return h;
  };
  return { step: stepOf(logits, variables, data, optimizer), dispose: () => variables.forEach((v) => v.dispose()) };
}

/** The step shared by the dense and conv models: copy the batch in, minimize, read the loss back. */
export function stepOf(logits: (x: tf.Tensor2D) => tf.Tensor2D, variables: tf.Variable[], data: BenchData, optimizer: tf.Optimizer): TrainingStep {
  const f = data.features;
  const classes = data.classes;
  return async (start, rows) => {
    const x = tf.tensor2d(data.x.subarray(start * f, (start + rows) * f), [rows, f]);
    const y = tf.tensor2d(data.oneHot.subarray(start * classes, (start + rows) * classes), [rows, classes]);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar, true, variables)!;
    const value = (await loss.data())[0];
    loss.dispose();
    x.dispose();
    y.dispose();
    return value;
  };
}

/** GFLOP/s of tf.matMul, the result read back with dataSync outside any tidy (inside one, tfjs-wasm read 2.0 GFLOP/s at 256^3 A.B, outside 17.8). */
export function tfjsGemmGflops(m: number, n: number, k: number, transA: boolean, transB: boolean, budgetMs: number, rounds = 3): number {
  const a = tf.tensor2d(Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * 0.5), transA ? [k, m] : [m, k]);
  const b = tf.tensor2d(Float32Array.from({ length: k * n }, (_, i) => Math.cos(i) * 0.5), transB ? [n, k] : [k, n]);
  const gflops = gemmGflops(
    () => {
      const c = tf.matMul(a, b, transA, transB);
      c.dataSync();
      c.dispose();
    },
    m,
    n,
    k,
    budgetMs,
    rounds,
  );
  a.dispose();
  b.dispose();
  return gflops;
}
