/**
 * General matrix multiply on row-major Float32Arrays:
 *   C (m x n) = op(A) (m x k) . op(B) (k x n)      (or C += ... when `accumulate`)
 * where op(A) = A or A transposed, same for B. The backward pass of a dense
 * layer needs both transposed variants (dW = X^T dZ, dX = dZ W^T); they are
 * handled while packing, so no transpose is ever materialised.
 *
 * The layout is the classic BLAS one (Goto): split K and M into blocks that
 * fit the caches, copy ("pack") each block into a contiguous panel, then run a
 * small register-tiled micro-kernel over the panels: 4 rows x 4 columns of C
 * kept in 16 local variables, fed by sequential reads from both panels.
 */

const MR = 4; // rows of C per micro-tile
const NR = 4; // columns of C per micro-tile
const KC = 256; // depth of a packed block (A and B panels of this depth stay in L1/L2)
const MC = 64; // rows of A per packed block

// Packing buffers, grown on demand and then reused: no allocation per call in steady state.
let packedA = new Float32Array(MC * KC);
let packedB = new Float32Array(KC * 64);

export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  /** true: C += A.B; false: C = A.B */
  accumulate: boolean;
}

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, m * n);
    return;
  }
  const nPadded = Math.ceil(n / NR) * NR;
  if (packedB.length < KC * nPadded) packedB = new Float32Array(KC * nPadded);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kb = Math.min(KC, k - p0);
    packB(b, transB, n, k, p0, kb);
    // The first depth block writes C (unless accumulating); later ones add to it.
    const add = accumulate || p0 > 0;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mb = Math.min(MC, m - i0);
      packA(a, transA, m, k, i0, mb, p0, kb);
      macroKernel(c, n, i0, mb, kb, add);
    }
  }
}

/** Copies rows i0..i0+mb, depth p0..p0+kb of op(A) into panels of MR rows, depth-major, zero padded. */
function packA(a: Float32Array, transA: boolean, m: number, k: number, i0: number, mb: number, p0: number, kb: number): void {
  const out = packedA;
  let idx = 0;
  for (let ir = 0; ir < mb; ir += MR) {
    const rows = Math.min(MR, mb - ir);
    for (let p = 0; p < kb; p++) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const i = i0 + ir + r;
          out[idx++] = transA ? a[(p0 + p) * m + i] : a[i * k + p0 + p];
        } else {
          out[idx++] = 0;
        }
      }
    }
  }
}

/** Copies depth p0..p0+kb of op(B), all n columns, into panels of NR columns, depth-major, zero padded. */
function packB(b: Float32Array, transB: boolean, n: number, k: number, p0: number, kb: number): void {
  const out = packedB;
  let idx = 0;
  for (let jr = 0; jr < n; jr += NR) {
    const cols = Math.min(NR, n - jr);
    for (let p = 0; p < kb; p++) {
      for (let q = 0; q < NR; q++) {
        if (q < cols) {
          const j = jr + q;
          out[idx++] = transB ? b[j * k + p0 + p] : b[(p0 + p) * n + j];
        } else {
          out[idx++] = 0;
        }
      }
    }
  }
}

/** Multiplies the packed blocks into C rows i0..i0+mb, tile by tile. */
function macroKernel(c: Float32Array, n: number, i0: number, mb: number, kb: number, add: boolean): void {
  const pa = packedA;
  const pb = packedB;
  for (let jr = 0; jr < n; jr += NR) {
    const bStart = (jr / NR) * kb * NR;
    for (let ir = 0; ir < mb; ir += MR) {
      let ai = (ir / MR) * kb * MR;
      let bi = bStart;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < kb; p++) {
        const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
        const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        ai += MR;
        bi += NR;
      }
      const rows = Math.min(MR, mb - ir);
      const cols = Math.min(NR, n - jr);
      const row0 = (i0 + ir) * n + jr;
      if (rows === MR && cols === NR) {
        const r1 = row0 + n, r2 = r1 + n, r3 = r2 + n;
        if (add) {
          c[row0] += c00; c[row0 + 1] += c01; c[row0 + 2] += c02; c[row0 + 3] += c03;
          c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
          c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
          c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
        } else {
          c[row0] = c00; c[row0 + 1] = c01; c[row0 + 2] = c02; c[row0 + 3] = c03;
          c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
          c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
          c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
        }
      } else {
        // Edge tile: only part of it lies inside C.
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            const at = row0 + r * n + q;
            c[at] = add ? c[at] + tile[r * NR + q] : tile[r * NR + q];
          }
        }
      }
    }
  }
}
