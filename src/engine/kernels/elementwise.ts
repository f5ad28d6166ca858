import { wasmKernelsFor } from "./kernel-path.js";

/**
 * Element-wise loops of the backward pass: the WebAssembly kernel
 * (wasm/elementwise-kernels.ts) when every array lives in the kernels' heap,
 * else the TypeScript loop. Both give the same bits.
 */

/** dz[i] = z[i] > 0 ? dy[i] : 0 for i < count (relu's backward; z may be relu's output: same mask). */
export function reluBackward(z: Float32Array, dy: Float32Array, dz: Float32Array, count: number): void {
  const kernels = wasmKernelsFor(z, dy, dz);
  if (kernels !== null) return kernels.exports.relu_backward(z.byteOffset, dy.byteOffset, dz.byteOffset, count);
  for (let i = 0; i < count; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
}

/** dst[i] += src[i] for i < count. */
export function addInto(dst: Float32Array, src: Float32Array, count: number): void {
  const kernels = wasmKernelsFor(dst, src);
  if (kernels !== null) return kernels.exports.add_into(dst.byteOffset, src.byteOffset, count);
  for (let i = 0; i < count; i++) dst[i] += src[i];
}

/** into[j] += values[r * cols + j] for every row r, in row order (a bias gradient). */
export function columnSumsInto(values: Float32Array, into: Float32Array, rows: number, cols: number): void {
  const kernels = wasmKernelsFor(values, into);
  if (kernels !== null) return kernels.exports.column_sums_into(values.byteOffset, into.byteOffset, rows, cols);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    for (let j = 0; j < cols; j++) into[j] += values[start + j];
  }
}
