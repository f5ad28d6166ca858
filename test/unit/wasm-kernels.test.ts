import { afterEach, describe, expect, it } from "vitest";
import { gemm, kernelPath, useKernelPath } from "../../src/engine/index.js";
import { addInto, columnSumsInto, reluBackward } from "../../src/engine/kernels/elementwise.js";
import { gemmBiasRelu } from "../../src/engine/kernels/gemm.js";
import { col2imAdd, im2col } from "../../src/engine/kernels/im2col.js";
import { allocateFloats, allocateInts } from "../../src/engine/kernels/kernel-path.js";
import { maxPoolBackward, maxPoolForward } from "../../src/engine/kernels/max-pool.js";
import { adamUpdate } from "../../src/engine/kernels/optimizer-updates.js";
import { loadWasmKernels } from "../../src/engine/kernels/wasm/wasm-kernels.js";
import { window2d } from "../../src/engine/ops/window2d.js";
import { Prng } from "../../src/engine/random.js";

/** op(A) . op(B) (+ c0) (+ bias) (relu) in float64, the obvious triple loop. */
function reference(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c0: Float32Array | null, bias: Float32Array | null, relu: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = c0 === null ? 0 : c0[i * n + j];
      for (let p = 0; p < k; p++) sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      if (bias !== null) sum += bias[j];
      c[i * n + j] = relu ? Math.max(sum, 0) : sum;
    }
  }
  return c;
}

function random(rng: Prng, length: number, zeros = 0): Float32Array {
  const values = allocateFloats(length);
  for (let i = 0; i < length; i++) values[i] = rng.nextFloat() < zeros ? 0 : rng.nextFloat() - 0.5;
  return values;
}

/** The values in an array allocated as the engine does on the selected path (in the kernels' heap on the wasm path). */
function filled(values: ArrayLike<number>): Float32Array {
  const array = allocateFloats(values.length);
  array.set(Array.from(values));
  return array;
}

/** The same values in an ordinary array (outside the kernels' heap). */
function plain(values: Float32Array): Float32Array {
  return Float32Array.from(values);
}

/** Runs `work` once per kernel path with arrays made by `make` on that path; returns both results. */
function onBothPaths<T>(make: () => T, work: (inputs: T) => void): { wasm: T; typescript: T } {
  const previous = useKernelPath("wasm");
  try {
    const wasm = make();
    work(wasm);
    useKernelPath("typescript");
    const typescript = make();
    work(typescript);
    return { wasm, typescript };
  } finally {
    useKernelPath(previous);
  }
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 9, 1], [3, 5, 2], [4, 8, 4], [5, 3, 1], [7, 9, 13], [2, 2, 0], [33, 17, 300], [65, 130, 257], [5, 600, 3], [130, 1030, 20]];

describe("the WebAssembly SIMD kernels", () => {
  afterEach(() => void useKernelPath("wasm"));

  it("load on Node 20 (SIMD and shared memory), so the wasm path is what runs by default", () => {
    expect(loadWasmKernels()).not.toBeNull();
    expect(kernelPath()).toBe("wasm");
    expect(useKernelPath("typescript")).toBe("wasm");
    expect(kernelPath()).toBe("typescript");
  });

  it("GEMM: every transpose form, odd sizes, k = 0 and 1, n < 4, accumulate, bias and relu, match float64", () => {
    const rng = new Prng(11);
    for (const [m, n, k] of SHAPES) {
      for (let form = 0; form < 32; form++) {
        const [transA, transB, accumulate, withBias, relu] = [1, 2, 4, 8, 16].map((bit) => (form & bit) !== 0);
        const a = random(rng, m * k, 0.3);
        const b = random(rng, k * n);
        const bias = withBias ? random(rng, n) : null;
        const c = random(rng, m * n);
        const before = plain(c);
        gemmBiasRelu(transA, transB, m, n, k, a, b, c, accumulate, bias, relu);
        const expected = reference(transA, transB, m, n, k, a, b, accumulate ? before : null, bias, relu);
        let worst = 0;
        for (let i = 0; i < m * n; i++) {
          const error = Math.abs(c[i] - expected[i]);
          worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
        }
        expect(worst, `${m}x${k}x${n} form ${form}`).toBeLessThan(2e-6 * Math.sqrt(k + 1) + 1e-6);
      }
    }
  });

  it("GEMM gives the same bits on operands inside or outside the kernels' heap (staged)", () => {
    const rng = new Prng(12);
    const [m, n, k] = [37, 21, 300];
    for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
      const a = random(rng, m * k);
      const b = random(rng, k * n);
      const inHeap = allocateFloats(m * n).fill(1);
      const outside = new Float32Array(m * n).fill(1);
      gemm(transA, transB, m, n, k, a, b, inHeap, true);
      gemm(transA, transB, m, n, k, plain(a), plain(b), outside, true);
      expect(outside).toEqual(plain(inHeap));
    }
  });

  it("the arrays of these tests lie in the kernels' heap on the wasm path only", () => {
    expect(loadWasmKernels()!.heap.contains(filled([1, 2]))).toBe(true);
    useKernelPath("typescript");
    expect(loadWasmKernels()!.heap.contains(filled([1, 2]))).toBe(false);
  });

  it("relu backward, gradient sums and bias gradients give the TypeScript loops' bits", () => {
    const rng = new Prng(13);
    for (const count of [1, 3, 4, 17, 1000]) {
      const y = Array.from(random(rng, count));
      const dy = Array.from(random(rng, count));
      const result = onBothPaths(
        () => ({ y: filled(y), dy: filled(dy), dz: allocateFloats(count), sums: allocateFloats(7).fill(0.25) }),
        ({ y, dy, dz, sums }) => {
          reluBackward(y, dy, dz, count);
          addInto(dz, dy, count);
          columnSumsInto(dz, sums, Math.floor(count / 7), Math.min(7, count));
        },
      );
      expect(plain(result.wasm.dz)).toEqual(plain(result.typescript.dz));
      expect(plain(result.wasm.sums)).toEqual(plain(result.typescript.sums));
    }
  });

  it("im2col, col2im and max pooling give the TypeScript loops' bits (valid and same padding, strides, channels 1, 3 and 8)", () => {
    const rng = new Prng(14);
    for (const [h, w, channels, kernel, stride, padding] of [[7, 6, 1, 3, 1, "valid"], [8, 8, 3, 3, 2, "same"], [9, 7, 8, 2, 2, "valid"], [5, 5, 4, 3, 1, "same"], [6, 9, 8, 3, 2, "same"]] as const) {
      const batch = 3;
      const window = window2d([h, w, channels], [kernel, kernel], [stride, stride], padding);
      const inputs = Array.from(random(rng, batch * h * w * channels, 0.2));
      const rows = batch * window.outHeight * window.outWidth;
      const depth = kernel * kernel * channels;
      const outputs = batch * window.outHeight * window.outWidth * channels;
      const upstream = Array.from(random(rng, outputs));
      const result = onBothPaths(
        () => ({ x: filled(inputs), cols: allocateFloats(rows * depth), dx: allocateFloats(inputs.length), y: allocateFloats(outputs), winners: allocateInts(outputs), g: filled(upstream) }),
        ({ x, cols, dx, y, winners, g }) => {
          im2col(x, batch, window, cols);
          col2imAdd(cols, batch, window, dx);
          maxPoolForward(x, y, winners, batch, window);
          maxPoolBackward(g, winners, dx);
        },
      );
      for (const key of ["cols", "dx", "y"] as const) expect(plain(result.wasm[key]), `${key} ${h}x${w}x${channels} k${kernel} s${stride} ${padding}`).toEqual(plain(result.typescript[key]));
      expect(Int32Array.from(result.wasm.winners)).toEqual(Int32Array.from(result.typescript.winners));
    }
  });

  it("the Adam update gives the TypeScript loop's bits", () => {
    const rng = new Prng(15);
    for (const count of [1, 2, 5, 64]) {
      const start = [random(rng, count), random(rng, count), random(rng, count), random(rng, count)].map((x) => Array.from(x));
      const result = onBothPaths(
        () => start.map((values, slot) => filled(slot === 3 ? values.map(Math.abs) : values)),
        ([w, g, m, v]) => {
          for (let t = 1; t <= 3; t++) adamUpdate(w, g, m, v, 0.9, 0.999, 1e-7, 0.01 / t, t === 2 ? 0.001 : 0);
        },
      );
      result.wasm.forEach((values, i) => expect(plain(values)).toEqual(plain(result.typescript[i])));
    }
  });
});
