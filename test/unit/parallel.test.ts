import { afterAll, describe, expect, it } from "vitest";
import { createModel, createTrainer, exportWeights, fit, gemm, type KernelExecutor, type ModelSpec } from "../../src/engine/index.js";
import { useExecutor } from "../../src/engine/kernels/executor.js";
import { gemmBiasRelu } from "../../src/engine/kernels/gemm.js";
import { allocateFloats } from "../../src/engine/kernels/kernel-path.js";
import { loadWasmKernels } from "../../src/engine/kernels/wasm/wasm-kernels.js";
import { Prng } from "../../src/engine/random.js";
import { createThreadExecutor } from "../../src/parallel/index.js";
import { mnistSplit } from "./helpers/datasets.js";

const executor = createThreadExecutor(2);
afterAll(() => executor.close());

/** Counts the runs an executor is given and the calls in them, and names each run's export with its call count. */
function counting(inner: KernelExecutor): KernelExecutor & { runs: number; calls: number; log: string[] } {
  const counter = {
    threads: inner.threads,
    runs: 0,
    calls: 0,
    log: [] as string[],
    run(...args: Parameters<KernelExecutor["run"]>) {
      counter.runs++;
      counter.calls += args[3];
      counter.log.push(`${args[1]} x${args[3]}`);
      inner.run(...args);
    },
  };
  return counter;
}

function sameBits(x: Float32Array, y: Float32Array): boolean {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/** op(A) . op(B) (+ C) (+ bias) (relu) on one thread and split by `spy`: the two results, and what the split ran. */
function aloneAndSplit(spy: ReturnType<typeof counting>, transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, bias: Float32Array | null, relu: boolean) {
  const alone = allocateFloats(m * n).fill(0.5);
  const split = allocateFloats(m * n).fill(0.5);
  gemmBiasRelu(transA, transB, m, n, k, a, b, alone, true, bias, relu);
  spy.log.length = 0;
  const previous = useExecutor(spy);
  try {
    gemmBiasRelu(transA, transB, m, n, k, a, b, split, true, bias, relu);
  } finally {
    useExecutor(previous);
  }
  return { alone: Float32Array.from(alone), split: Float32Array.from(split), ran: [...spy.log] };
}

function random(rng: Prng, length: number): Float32Array {
  const values = allocateFloats(length);
  for (let i = 0; i < length; i++) values[i] = rng.nextFloat() - 0.5;
  return values;
}

describe("the thread executor (src/parallel)", () => {
  it("splits a large product over 2 threads with the same bits as one thread, in every transpose form", () => {
    const rng = new Prng(21);
    const spy = counting(executor);
    // Taller than wide: op(B) packed once by both threads (2 depth blocks x 2 column chunks), then 4 blocks of rows over it.
    // Wider than tall: 4 blocks of columns, each packing its own op(B).
    for (const [m, n, k, ran] of [[300, 110, 257, ["gemm_pack_b x4", "gemm_packed_b x4"]], [61, 520, 270, ["gemm x4"]]] as const) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const result = aloneAndSplit(spy, transA, transB, m, n, k, random(rng, m * k), random(rng, k * n), null, false);
        expect(sameBits(result.split, result.alone), `${m}x${k}x${n} ${transA} ${transB}`).toBe(true);
        expect(result.ran).toEqual(ran);
      }
    }
  });

  it("gives the same bits split as alone past one block of columns and of depth, with bias and relu in the last depth block", () => {
    // n = 1030 > 1024 columns: a second column block reads its panels further into the packed op(B); k = 600: three depth blocks, the last cut.
    const rng = new Prng(5);
    const spy = counting(executor);
    const [m, n, k] = [1100, 1030, 600];
    const a = random(rng, m * k);
    const b = random(rng, k * n);
    const bias = random(rng, n);
    for (const [transA, transB] of [[false, false], [true, true]] as const) {
      const result = aloneAndSplit(spy, transA, transB, m, n, k, a, b, bias, true);
      expect(result.ran).toEqual(["gemm_pack_b x6", "gemm_packed_b x9"]); // blocks of at most 128 rows
      expect(result.split.some((value) => value === 0), "relu clipped some outputs").toBe(true);
      expect(sameBits(result.split, result.alone), `${transA} ${transB}`).toBe(true);
    }
  });

  it("packs a deep op(B) in several runs when its calls do not fit one, with the same bits", () => {
    // k = 70,000: 274 depth blocks of one chunk each (8 columns), 64 calls a run; then 4 blocks of 4 rows.
    const rng = new Prng(8);
    const [m, n, k] = [16, 8, 70_000];
    const result = aloneAndSplit(counting(executor), true, false, m, n, k, random(rng, m * k), random(rng, k * n), null, false);
    expect(result.ran).toEqual(["gemm_pack_b x64", "gemm_pack_b x64", "gemm_pack_b x64", "gemm_pack_b x64", "gemm_pack_b x18", "gemm_packed_b x4"]);
    expect(sameBits(result.split, result.alone)).toBe(true);
  });

  it("leaves small products on the calling thread", () => {
    const spy = counting(executor);
    const previous = useExecutor(spy);
    try {
      gemm(false, false, 32, 64, 128, allocateFloats(32 * 128), allocateFloats(128 * 64), allocateFloats(32 * 64), false);
    } finally {
      useExecutor(previous);
    }
    expect(spy.runs).toBe(0);
  });

  it("fit and createTrainer with the executor train to the same weights as without", async () => {
    const spec: ModelSpec = { inputShape: [784], layers: [{ type: "dense", units: 128, activation: "relu" }, { type: "dense", units: 10, activation: "softmax" }] };
    const { train } = mnistSplit(512, 0, 3);
    const config = { epochs: 2, batchSize: 256, seed: 4, loss: "sparseCategoricalCrossentropy" as const, optimizer: { type: "adam" as const, learningRate: 0.001 } };
    const weights = async (withExecutor: boolean) => {
      const model = createModel(spec, 9);
      const spy = counting(executor);
      await fit(model, train, config, {}, withExecutor ? { executor: spy } : {});
      const trainer = createTrainer(model, { loss: config.loss, optimizer: config.optimizer, ...(withExecutor ? { executor: spy } : {}) });
      trainer.trainOnBatch(train.x.subarray(0, 256 * 784), train.y.subarray(0, 256), 256);
      return { bytes: exportWeights(model).data, runs: spy.runs };
    };
    const [alone, split] = [await weights(false), await weights(true)];
    expect(split.runs).toBeGreaterThan(0);
    expect(Buffer.from(split.bytes).equals(Buffer.from(alone.bytes))).toBe(true);
  });

  it("reports a kernel that fails in whichever thread ran it, and keeps working after", () => {
    const kernels = loadWasmKernels()!;
    const scratch = allocateFloats(32).fill(1);
    const at = (call: number) => scratch.byteOffset + 16 * call;
    const args = new Int32Array(3 * 8);
    for (let call = 0; call < 8; call++) args.set([at(call), at(call), 4], 3 * call); // add_into: call i doubles its own 4 values
    args.set([0x7ffffff0, 0x7ffffff0, 4], 3 * 5); // call 5 reads past the end of the memory: a trap
    expect(() => executor.run(kernels, "add_into", args, 8, 3)).toThrow(/out of bounds/);
    args.set([at(5), at(5), 4], 3 * 5);
    scratch.fill(1);
    expect(() => executor.run(kernels, "add_into", args, 8, 3)).not.toThrow();
    expect([...scratch]).toEqual(new Array(32).fill(2)); // every call ran once
  });

  it("wakes a kernel thread that went to sleep, and only one that sleeps", async () => {
    const kernels = loadWasmKernels()!;
    const sleepy = createThreadExecutor(2, { spinMs: 0 });
    try {
      const scratch = allocateFloats(64).fill(1);
      const args = new Int32Array(3 * 16);
      for (let call = 0; call < 16; call++) args.set([scratch.byteOffset + 16 * call, scratch.byteOffset + 16 * call, 4], 3 * call);
      sleepy.run(kernels, "add_into", args, 16, 3); // binds the thread; it sleeps once it has seen this run
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = sleepy.wakeups;
      sleepy.run(kernels, "add_into", args, 16, 3);
      expect(sleepy.wakeups).toBe(before + 1);
      expect([...scratch]).toEqual(new Array(64).fill(4)); // every call of both runs ran once
    } finally {
      await sleepy.close();
    }
    // Back to back, a thread spinning for the next run is not woken: 50 runs within its 1 s of spinning.
    const spinning = createThreadExecutor(2, { spinMs: 1000 });
    try {
      const scratch = allocateFloats(8);
      const args = new Int32Array([scratch.byteOffset, scratch.byteOffset, 4, scratch.byteOffset + 16, scratch.byteOffset + 16, 4]);
      spinning.run(kernels, "add_into", args, 2, 3);
      const before = spinning.wakeups;
      for (let i = 0; i < 50; i++) spinning.run(kernels, "add_into", args, 2, 3);
      expect(spinning.wakeups - before).toBeLessThanOrEqual(1); // the first may find it not yet spinning after binding
    } finally {
      await spinning.close();
    }
    expect(() => createThreadExecutor(2, { spinMs: -1 })).toThrow(/spinMs/);
  });

  it("runs each call of back-to-back runs of different sizes exactly once, however late a kernel thread looks", () => {
    // A run of 1 call (the caller alone may finish it) then one of 8, many times over: a kernel thread that saw the
    // first run begin but read the second's end once claimed a call past the first's last, ran it twice and hung the
    // caller (pending -1). Each call adds 1 to its own 4 values: any call run twice, or never, shows in the sums.
    const kernels = loadWasmKernels()!;
    const sums = allocateFloats(8 * 4);
    const ones = allocateFloats(4).fill(1);
    const callArgs = (count: number) => {
      const args = new Int32Array(3 * count);
      for (let call = 0; call < count; call++) args.set([sums.byteOffset + 16 * call, ones.byteOffset, 4], 3 * call);
      return args;
    };
    const one = callArgs(1);
    const eight = callArgs(8);
    const rounds = 40_000;
    for (let round = 0; round < rounds; round++) {
      executor.run(kernels, "add_into", one, 1, 3);
      executor.run(kernels, "add_into", eight, 8, 3);
    }
    expect([...sums.subarray(0, 4)]).toEqual(new Array(4).fill(2 * rounds));
    expect([...sums.subarray(4)]).toEqual(new Array(28).fill(rounds));
  });

  it("refuses to run once closed", async () => {
    const closing = createThreadExecutor(2);
    await closing.close();
    expect(() => closing.run(loadWasmKernels()!, "add_into", new Int32Array(6), 2, 3)).toThrow(/closed/);
    expect(() => executor.run(loadWasmKernels()!, "add_into", new Int32Array(3 * 200), 200, 3)).toThrow(/do not fit/);
    expect(() => createThreadExecutor(0)).toThrow(/positive integer/);
  });
});
