/**
 * GEMM kernels for the shapes of a convolution over im2col rows, where one
 * side is tiny (kh*kw*inChannels x filters, a few hundred values) and the
 * other is tall (one row per output position of the whole batch):
 *
 *   gemmTallTimesSmall:  C (m x n) = A (m x k) . op(B) (k x n) [+ bias], m large, k*n small
 *   gemmSmallProduct:    C (m x n) += A^T . B, A (k x m), B (k x n), m*n small, k large
 *
 * The packed kernel would spend as much on packing as on arithmetic here.
 * These keep the small operand or the small result in cache and test each
 * value of the tall operand for zero on the fly (im2col rows of images and
 * gradients behind relu and max pooling are mostly zeros), so no pass is spent
 * counting or compressing zeros.
 */

const COLUMNS = 8; // columns of C held in locals at a time

let smallB = new Float64Array(0);

/**
 * C = A . op(B) (+ bias per column), A m x k row-major; op(B) = B (k x n) or
 * B^T (B stored n x k). With `relu`, max(0, .) is applied as C is stored (the fused conv2d + relu).
 */
export function gemmTallTimesSmall(transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, relu = false): void {
  if (smallB.length < k * n) smallB = new Float64Array(k * n);
  const w = smallB;
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) w[p * n + j] = transB ? b[j * k + p] : b[p * n + j];
  for (let i = 0; i < m; i++) {
    const row = i * k;
    const out = i * n;
    let j = 0;
    for (; j + COLUMNS <= n; j += COLUMNS) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      if (bias !== null) {
        s0 = bias[j]; s1 = bias[j + 1]; s2 = bias[j + 2]; s3 = bias[j + 3];
        s4 = bias[j + 4]; s5 = bias[j + 5]; s6 = bias[j + 6]; s7 = bias[j + 7];
      }
      for (let p = 0; p < k; p++) {
        const v = a[row + p];
        if (v === 0) continue;
        const at = p * n + j;
        s0 += v * w[at]; s1 += v * w[at + 1]; s2 += v * w[at + 2]; s3 += v * w[at + 3];
        s4 += v * w[at + 4]; s5 += v * w[at + 5]; s6 += v * w[at + 6]; s7 += v * w[at + 7];
      }
      if (relu) {
        c[out + j] = s0 > 0 ? s0 : 0; c[out + j + 1] = s1 > 0 ? s1 : 0; c[out + j + 2] = s2 > 0 ? s2 : 0; c[out + j + 3] = s3 > 0 ? s3 : 0;
        c[out + j + 4] = s4 > 0 ? s4 : 0; c[out + j + 5] = s5 > 0 ? s5 : 0; c[out + j + 6] = s6 > 0 ? s6 : 0; c[out + j + 7] = s7 > 0 ? s7 : 0;
      } else {
        c[out + j] = s0; c[out + j + 1] = s1; c[out + j + 2] = s2; c[out + j + 3] = s3;
        c[out + j + 4] = s4; c[out + j + 5] = s5; c[out + j + 6] = s6; c[out + j + 7] = s7;
      }
    }
    for (; j < n; j++) {
      let s = bias !== null ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        const v = a[row + p];
        if (v !== 0) s += v * w[p * n + j];
      }
      c[out + j] = relu && s < 0 ? 0 : s;
    }
  }
}

/**
 * C (m x n) += A^T . B with A k x m and B k x n row-major. Each row of C is
 * summed in locals (8 columns at a time) down the long k axis, reading A's
 * column with stride m and skipping its zeros, so B's row is only read where needed.
 */
export function gemmSmallProduct(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < m; i++) {
    const out = i * n;
    let j = 0;
    for (; j + COLUMNS <= n; j += COLUMNS) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let p = 0, ai = i, bi = j; p < k; p++, ai += m, bi += n) {
        const v = a[ai];
        if (v === 0) continue;
        s0 += v * b[bi]; s1 += v * b[bi + 1]; s2 += v * b[bi + 2]; s3 += v * b[bi + 3];
        s4 += v * b[bi + 4]; s5 += v * b[bi + 5]; s6 += v * b[bi + 6]; s7 += v * b[bi + 7];
      }
      c[out + j] += s0; c[out + j + 1] += s1; c[out + j + 2] += s2; c[out + j + 3] += s3;
      c[out + j + 4] += s4; c[out + j + 5] += s5; c[out + j + 6] += s6; c[out + j + 7] += s7;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const v = a[p * m + i];
        if (v !== 0) s += v * b[p * n + j];
      }
      c[out + j] += s;
    }
  }
}
