import { createModel, exportWeights, fit, type Model, type ModelSpec, type OptimizerConfig } from "../src/engine/index.js";
import { gemm } from "../src/engine/kernels/gemm.js";

export const MLP: ModelSpec = {
  inputShape: [784],
  layers: [
    { type: "dense", units: 128, activation: "relu" },
    { type: "dense", units: 64, activation: "relu" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

export interface TrainingRun {
  samplesPerSecond: number;
  loss: number;
}

/** Trains `epochs` epochs (after one warm-up epoch on a copy) and reports samples/s of the timed ones. */
export async function trainDescent(model: Model, data: { x: Float32Array; labels: Float32Array; numSamples: number }, optimizer: OptimizerConfig, batchSize: number, epochs: number): Promise<TrainingRun> {
  const config = { epochs, batchSize, seed: 1, loss: "sparseCategoricalCrossentropy" as const, optimizer, shuffle: false };
  const result = await fit(model, { x: data.x, y: data.labels, numSamples: data.numSamples }, config);
  const ms = result.epochs.reduce((sum, e) => sum + e.durationMs, 0);
  return { samplesPerSecond: (data.numSamples * epochs) / (ms / 1000), loss: result.epochs[0].loss };
}

export function initialWeights(seed: number): { model: Model; weights: Float32Array[] } {
  const model = createModel(MLP, seed);
  const { manifest, data } = exportWeights(model);
  const all = new Float32Array(data.buffer.slice(0));
  const weights = manifest.map((entry) => all.slice(entry.offset, entry.offset + entry.shape.reduce((a, b) => a * b, 1)));
  return { model, weights };
}

/** GFLOP/s of C = op(A) . op(B), repeated for at least `budgetMs`. */
export function gemmGflops(m: number, n: number, k: number, transA: boolean, transB: boolean, budgetMs = 400): number {
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * 0.5);
  const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i) * 0.5);
  const c = new Float32Array(m * n);
  gemm(transA, transB, m, n, k, a, b, c, false);
  let reps = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs || reps < 2) {
    gemm(transA, transB, m, n, k, a, b, c, false);
    reps++;
  }
  const seconds = (performance.now() - started) / 1000;
  return (2 * m * n * k * reps) / seconds / 1e9;
}
