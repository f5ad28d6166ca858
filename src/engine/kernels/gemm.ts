import { gemmDense } from "./gemm-dense.js";
import { countZeros, gemmSparse } from "./gemm-sparse.js";

/**
 * General matrix multiply on row-major Float32Arrays:
 *   C (m x n) = op(A) (m x k) . op(B) (k x n)      (C += ... when `accumulate`)
 * where op(X) is X or X transposed. A dense layer's backward pass needs both
 * transposed variants (dW = X^T dZ, dX = dZ W^T).
 *
 * Two kernels: the packed, register-tiled dense one, and one that skips the
 * zeros of op(A), chosen when op(A) is at least 60% zeros (measured break-even:
 * about 50%). Counting the zeros costs m*k reads against m*n*k multiply-adds.
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
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, m * n);
    return;
  }
  if (zeroSkipping && n >= SPARSE_MIN_COLUMNS) {
    const size = m * k;
    const zeros = countZeros(a, size);
    if (zeros >= SPARSE_MIN_ZERO_FRACTION * size) {
      gemmSparse(transA, transB, m, n, k, a, b, c, accumulate, size - zeros);
      return;
    }
  }
  gemmDense(transA, transB, m, n, k, a, b, c, accumulate);
}
