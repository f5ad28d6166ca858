/**
 * GEMM for a left operand that is mostly zeros (MNIST pixels, ReLU outputs,
 * their gradients). The nonzeros of each row of op(A) are listed once, then
 *   C[i, :] = sum over the nonzeros (p, v) of row i of  v * op(B)[p, :]
 * with 8 columns of C held in local variables at a time. Work is proportional
 * to the nonzeros, so with 20% of them it does a fifth of a dense GEMM's.
 */

const COLUMNS = 8; // columns of C per register block

// Nonzeros of op(A) by row (compressed sparse rows), and op(B) when B is transposed; reused across calls.
let rowStart = new Int32Array(1);
let columnOf = new Int32Array(0);
let valueOf = new Float64Array(0);
let bRows = new Float32Array(0);

/** How many elements of the first `count` of `values` are zero. */
export function countZeros(values: Float32Array, count: number): number {
  let zeros = 0;
  for (let i = 0; i < count; i++) if (values[i] === 0) zeros++;
  return zeros;
}

export function gemmSparse(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, nonZeros: number): void {
  compressRows(transA, m, k, a, nonZeros);
  const rowsOfB = transB ? transposeInto(b, n, k) : b;
  for (let i = 0; i < m; i++) {
    const first = rowStart[i];
    const last = rowStart[i + 1];
    const row = i * n;
    let j = 0;
    for (; j + COLUMNS <= n; j += COLUMNS) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let t = first; t < last; t++) {
        const v = valueOf[t];
        const at = columnOf[t] * n + j;
        s0 += v * rowsOfB[at]; s1 += v * rowsOfB[at + 1]; s2 += v * rowsOfB[at + 2]; s3 += v * rowsOfB[at + 3];
        s4 += v * rowsOfB[at + 4]; s5 += v * rowsOfB[at + 5]; s6 += v * rowsOfB[at + 6]; s7 += v * rowsOfB[at + 7];
      }
      const o = row + j;
      if (accumulate) {
        c[o] += s0; c[o + 1] += s1; c[o + 2] += s2; c[o + 3] += s3; c[o + 4] += s4; c[o + 5] += s5; c[o + 6] += s6; c[o + 7] += s7;
      } else {
        c[o] = s0; c[o + 1] = s1; c[o + 2] = s2; c[o + 3] = s3; c[o + 4] = s4; c[o + 5] = s5; c[o + 6] = s6; c[o + 7] = s7;
      }
    }
    for (; j < n; j++) {
      let s = 0;
      for (let t = first; t < last; t++) s += valueOf[t] * rowsOfB[columnOf[t] * n + j];
      c[row + j] = accumulate ? c[row + j] + s : s;
    }
  }
}

/** Lists the nonzeros of op(A) (m x k) row by row, in increasing column order. */
function compressRows(transA: boolean, m: number, k: number, a: Float32Array, nonZeros: number): void {
  if (rowStart.length < m + 1) rowStart = new Int32Array(m + 1);
  if (columnOf.length < nonZeros) {
    // Room for a fully dense op(A), so that later batches with more nonzeros do not reallocate.
    columnOf = new Int32Array(m * k);
    valueOf = new Float64Array(m * k);
  }
  if (!transA) {
    let t = 0;
    for (let i = 0; i < m; i++) {
      rowStart[i] = t;
      const base = i * k;
      for (let p = 0; p < k; p++) {
        const v = a[base + p];
        if (v !== 0) {
          columnOf[t] = p;
          valueOf[t++] = v;
        }
      }
    }
    rowStart[m] = t;
    return;
  }
  // op(A) = A^T, A stored k x m: count each row's nonzeros, then fill (a counting sort).
  rowStart.fill(0, 0, m + 1);
  for (let p = 0; p < k; p++) {
    const base = p * m;
    for (let i = 0; i < m; i++) if (a[base + i] !== 0) rowStart[i + 1]++;
  }
  for (let i = 0; i < m; i++) rowStart[i + 1] += rowStart[i];
  // rowStart[i] now serves as the fill cursor of row i; it is restored below.
  for (let p = 0; p < k; p++) {
    const base = p * m;
    for (let i = 0; i < m; i++) {
      const v = a[base + i];
      if (v !== 0) {
        const t = rowStart[i]++;
        columnOf[t] = p;
        valueOf[t] = v;
      }
    }
  }
  for (let i = m; i > 0; i--) rowStart[i] = rowStart[i - 1];
  rowStart[0] = 0;
}

/** op(B) = B^T as a k x n row-major copy, B being stored n x k. */
function transposeInto(b: Float32Array, n: number, k: number): Float32Array {
  if (bRows.length < n * k) bRows = new Float32Array(n * k);
  for (let j = 0; j < n; j++) {
    const base = j * k;
    for (let p = 0; p < k; p++) bRows[p * n + j] = b[base + p];
  }
  return bRows;
}
