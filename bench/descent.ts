import { allocateFloats, createModel, createTrainer, exportWeights, gemm, withExecutor, type KernelExecutor, type ModelSpec, type OptimizerConfig } from "../src/engine/index.js";
import type { BenchData } from "./data.js";
import type { TrainingStep } from "./timing.js";

/** The model's initial weights for `seed`, one Float32Array per weight in layer order (kernel, bias, ...), for tfjs to start from. */
export function initialWeights(spec: ModelSpec, seed: number): Float32Array[] {
  const { manifest, data } = exportWeights(createModel(spec, seed));
  const all = new Float32Array(data.buffer.slice(0));
  return manifest.map((entry) => all.slice(entry.offset, entry.offset + entry.shape.reduce((a, b) => a * b, 1)));
}

/** descent's step through the public trainer: the batch is copied into the model's graph, then one optimizer step. */
export function descentStep(spec: ModelSpec, seed: number, data: BenchData, optimizer: OptimizerConfig, executor: KernelExecutor | undefined): TrainingStep {
  const trainer = createTrainer(createModel(spec, seed), { loss: "sparseCategoricalCrossentropy", optimizer, ...(executor ? { executor } : {}) });
  const f = data.features;
  return (start, rows) => trainer.trainOnBatch(data.x.subarray(start * f, (start + rows) * f), data.labels.subarray(start, start + rows), rows);
}

/** descent's gemm on operands in the kernels' memory (no copy): one product per call, on this thread or split by `executor`. */
export function descentGemm(m: number, n: number, k: number, transA: boolean, transB: boolean): (executor: KernelExecutor | null) => void {
  const a = allocateFloats(m * k);
  const b = allocateFloats(k * n);
  const c = allocateFloats(m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i) * 0.5;
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i) * 0.5;
  return (executor) => withExecutor(executor, () => gemm(transA, transB, m, n, k, a, b, c, false));
}
