/**
 * The dense GEMM kernel, laid out the classic BLAS way (Goto): split N and K
 * into blocks that fit the caches, copy ("pack") each block of A and B into
 * contiguous panels, then run a register-tiled micro-kernel over the panels:
 * 4 rows x 4 columns of C held in 16 local variables, fed by sequential reads.
 * Transposed operands are handled while packing, so no transpose is ever
 * materialised. Panels are Float64Array: the micro-kernel then reads doubles
 * directly instead of converting each float32 it loads.
 */

const MR = 4; // rows of C per micro-tile
const NR = 4; // columns of C per micro-tile
const KC = 256; // depth of a packed block
const MC = 64; // rows of A per packed block
const NC = 512; // columns of B per packed block (a KC x NC panel of doubles is 1 MiB)

// Packing buffers, grown on demand and then reused: no allocation per call in steady state.
let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * NC);

/** C (m x n) = op(A) . op(B), or C += ... when `accumulate`. Row-major, contiguous. */
export function gemmDense(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kb = Math.min(KC, k - p0);
      packB(b, transB, n, k, p0, kb, j0, nb);
      // The first depth block writes C (unless accumulating); later ones add to it.
      const add = accumulate || p0 > 0;
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mb = Math.min(MC, m - i0);
        packA(a, transA, m, k, i0, mb, p0, kb);
        macroKernel(c, n, i0, mb, j0, nb, kb, add);
      }
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
        const i = i0 + ir + r;
        out[idx++] = r >= rows ? 0 : transA ? a[(p0 + p) * m + i] : a[i * k + p0 + p];
      }
    }
  }
}

/** Copies depth p0..p0+kb, columns j0..j0+nb of op(B) into panels of NR columns, depth-major, zero padded. */
function packB(b: Float32Array, transB: boolean, n: number, k: number, p0: number, kb: number, j0: number, nb: number): void {
  const out = packedB;
  let idx = 0;
  for (let jr = 0; jr < nb; jr += NR) {
    const cols = Math.min(NR, nb - jr);
    for (let p = 0; p < kb; p++) {
      for (let q = 0; q < NR; q++) {
        const j = j0 + jr + q;
        out[idx++] = q >= cols ? 0 : transB ? b[j * k + p0 + p] : b[(p0 + p) * n + j];
      }
    }
  }
}

/** Multiplies the packed blocks into C (rows i0..i0+mb, columns j0..j0+nb), tile by tile. */
function macroKernel(c: Float32Array, n: number, i0: number, mb: number, j0: number, nb: number, kb: number, add: boolean): void {
  const pa = packedA;
  const pb = packedB;
  for (let jr = 0; jr < nb; jr += NR) {
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
      const cols = Math.min(NR, nb - jr);
      const r0 = (i0 + ir) * n + j0 + jr;
      const r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      // Stores are written out rather than put in a helper: passing the 16
      // doubles to a function that is not inlined would box each one.
      if (rows === MR && cols === NR) {
        if (add) {
          c[r0] += c00; c[r0 + 1] += c01; c[r0 + 2] += c02; c[r0 + 3] += c03;
          c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
          c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
          c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
        } else {
          c[r0] = c00; c[r0 + 1] = c01; c[r0 + 2] = c02; c[r0 + 3] = c03;
          c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
          c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
          c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
        }
        continue;
      }
      // Edge tile: only rows x cols of it lie inside C. Unset ones are zero padding.
      if (!add) {
        for (let r = 0; r < rows; r++) c.fill(0, r0 + r * n, r0 + r * n + cols);
      }
      c[r0] += c00;
      if (cols > 1) c[r0 + 1] += c01;
      if (cols > 2) c[r0 + 2] += c02;
      if (cols > 3) c[r0 + 3] += c03;
      if (rows > 1) {
        c[r1] += c10;
        if (cols > 1) c[r1 + 1] += c11;
        if (cols > 2) c[r1 + 2] += c12;
        if (cols > 3) c[r1 + 3] += c13;
      }
      if (rows > 2) {
        c[r2] += c20;
        if (cols > 1) c[r2 + 1] += c21;
        if (cols > 2) c[r2 + 2] += c22;
        if (cols > 3) c[r2 + 3] += c23;
      }
      if (rows > 3) {
        c[r3] += c30;
        if (cols > 1) c[r3 + 1] += c31;
        if (cols > 2) c[r3 + 2] += c32;
        if (cols > 3) c[r3 + 3] += c33;
      }
    }
  }
}
