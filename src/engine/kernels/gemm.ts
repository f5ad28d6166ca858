import { activeWasmKernels } from "./kernel-path.js";
import { gemmDense } from "./gemm-dense.js";
import { countZeros, gemmSparse } from "./gemm-sparse.js";
import { wasmGemm } from "./wasm/wasm-gemm.js";

/**
 * General matrix multiply on row-major Float32Arrays:
 *   C (m x n) = op(A) (m x k) . op(B) (k x n)      (C += ... when `accumulate`)
 * where op(X) is X or X transposed. A dense layer's backward pass needs both
 * transposed variants (dW = X^T dZ, dX = dZ W^T).
 *
 * Kernels: the WebAssembly SIMD one (wasm path, see kernel-path.ts); the
 * TypeScript reference ones, packed and register-tiled; and one that skips
 * the zeros of op(A), chosen when op(A) is at least 60% zeros (measured
 * break-even of the TypeScript kernels: about 50%). Counting the zeros costs
 * m*k reads against m*n*k multiply-adds.
 */
const SPARSE_MIN_ZERO_FRACTION = 0.6;
const SPARSE_MIN_COLUMNS = 8; // below this, counting zeros costs more than it saves

let zeroSkipping = true;

/** Turns the zero-skipping kernel on or off (the benchmark measures both); returns the previous setting. */
export function setZeroSkipping(enabled: boolean): boolean {
  const previous = zeroSkipping;
  zeroSkipping = enabled;
  return previous;
}

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean): void {
  gemmBiasRelu(transA, transB, m, n, k, a, b, c, accumulate, null, false);
}

/**
 * gemm, then + bias (one value per column of C), then relu (max(0, .)),
 * fused into the kernel's stores on the wasm path: the dense layer's forward.
 */
export function gemmBiasRelu(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, bias: Float32Array | null, relu: boolean): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, m * n);
  } else {
    const kernels = activeWasmKernels();
    if (kernels !== null) return wasmGemm(kernels, transA, transB, m, n, k, a, b, c, accumulate, bias, relu);
    const zeros = zeroSkipping && n >= SPARSE_MIN_COLUMNS ? countZeros(a, m * k) : 0;
    if (zeros > 0 && zeros >= SPARSE_MIN_ZERO_FRACTION * m * k) gemmSparse(transA, transB, m, n, k, a, b, c, accumulate, m * k - zeros);
    else gemmDense(transA, transB, m, n, k, a, b, c, accumulate);
  }
  addBiasThenRelu(c, m, n, bias, relu);
}

function addBiasThenRelu(c: Float32Array, m: number, n: number, bias: Float32Array | null, relu: boolean): void {
  if (bias !== null) {
    for (let r = 0; r < m; r++) {
      const start = r * n;
      for (let j = 0; j < n; j++) c[start + j] += bias[j];
    }
  }
  if (relu) for (let i = 0, size = m * n; i < size; i++) c[i] = c[i] > 0 ? c[i] : 0;
}
