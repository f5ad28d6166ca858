import { describe, expect, it } from "vitest";
import { gemm, setZeroSkipping } from "../../src/engine/kernels/gemm.js";
import { useKernelPath } from "../../src/engine/kernels/kernel-path.js";
import { gemmDense } from "../../src/engine/kernels/gemm-dense.js";
import { countZeros, gemmSparse } from "../../src/engine/kernels/gemm-sparse.js";
import { Prng } from "../../src/engine/random.js";

/** op(A) . op(B) in float64, the obvious triple loop. */
function reference(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = sum;
    }
  }
  return c;
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 2], [4, 4, 4], [7, 9, 13], [33, 17, 300], [65, 130, 257], [5, 600, 3]];

// The TypeScript reference kernels (the WebAssembly ones: wasm-kernels.test.ts).
describe("gemm kernels", () => {
  for (const [name, kernel] of [
    ["dense (packed, 4x4 tiles)", (tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, acc: boolean) => gemmDense(tA, tB, m, n, k, a, b, c, acc)],
    ["zero-skipping", (tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, acc: boolean) => gemmSparse(tA, tB, m, n, k, a, b, c, acc, m * k - countZeros(a, m * k))],
  ] as const) {
    it(`${name}: every transpose variant, writing and accumulating, matches float64`, () => {
      const rng = new Prng(3);
      for (const [m, n, k] of SHAPES) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const a = Float32Array.from({ length: m * k }, () => (rng.nextFloat() < 0.6 ? 0 : rng.nextFloat() - 0.5));
            const b = Float32Array.from({ length: k * n }, () => rng.nextFloat() - 0.5);
            const expected = reference(transA, transB, m, n, k, a, b);
            for (const accumulate of [false, true]) {
              const c = new Float32Array(m * n).fill(accumulate ? 2 : Number.NaN);
              kernel(transA, transB, m, n, k, a, b, c, accumulate);
              for (let i = 0; i < m * n; i++) {
                expect(Math.abs(c[i] - (accumulate ? 2 : 0) - expected[i]), `${m}x${k}x${n} ${transA} ${transB} ${accumulate} [${i}]`).toBeLessThan(1e-5 * Math.sqrt(k) + 1e-6);
              }
            }
          }
        }
      }
    });
  }

  it("on the TypeScript path, picks the zero-skipping kernel for mostly-zero inputs and gives the same products either way", () => {
    const path = useKernelPath("typescript");
    const rng = new Prng(4);
    const [m, n, k] = [32, 64, 200];
    const a = Float32Array.from({ length: m * k }, () => (rng.nextFloat() < 0.8 ? 0 : rng.nextFloat()));
    const b = Float32Array.from({ length: k * n }, () => rng.nextFloat() - 0.5);
    const withSkipping = new Float32Array(m * n);
    const withoutSkipping = new Float32Array(m * n);
    gemm(false, false, m, n, k, a, b, withSkipping, false);
    const previous = setZeroSkipping(false);
    gemm(false, false, m, n, k, a, b, withoutSkipping, false);
    setZeroSkipping(previous);
    useKernelPath(path);
    for (let i = 0; i < m * n; i++) expect(withSkipping[i]).toBeCloseTo(withoutSkipping[i], 5);
  });

  it("handles empty dimensions on both paths", () => {
    for (const path of ["wasm", "typescript"] as const) {
      const previous = useKernelPath(path);
      const c = new Float32Array(4).fill(7);
      gemm(false, false, 2, 2, 0, new Float32Array(0), new Float32Array(0), c, false);
      expect([...c]).toEqual([0, 0, 0, 0]);
      gemm(false, false, 2, 2, 0, new Float32Array(0), new Float32Array(0), c.fill(7), true);
      expect([...c]).toEqual([7, 7, 7, 7]);
      gemm(false, false, 0, 2, 3, new Float32Array(0), new Float32Array(6), c, false);
      expect([...c]).toEqual([7, 7, 7, 7]);
      useKernelPath(previous);
    }
  });
});
