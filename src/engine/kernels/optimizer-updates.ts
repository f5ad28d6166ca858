import { wasmKernelsFor } from "./kernel-path.js";

/**
 * Adam's update of one weight (optimizers/adam.ts), with the WebAssembly
 * kernel when w, g, m and v live in the kernels' heap (bit-identical: both
 * compute in doubles and round to float32 on each store), else this loop.
 * Adam.update calls it; Optimizer.slot allocates the moments in the heap.
 */
export function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, beta1: number, beta2: number, epsilon: number, stepSize: number, decay: number): void {
  const kernels = wasmKernelsFor(w, g, m, v);
  if (kernels !== null) return kernels.exports.adam_update(w.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, w.length, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, stepSize, decay);
  for (let i = 0; i < w.length; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    w[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) + epsilon)) + decay * w[i];
  }
}
