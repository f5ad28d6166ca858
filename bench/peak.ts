import type { Worker } from "node:worker_threads";
import { f32x4, get, i32, label, loop, brIf, set, tee, v128, type Code } from "../src/engine/kernels/wasm/emitter/code.js";
import { ModuleBuilder } from "../src/engine/kernels/wasm/emitter/module.js";
import { webAssemblyApi } from "../src/engine/kernels/wasm/webassembly.js";
import { spawnModuleThread } from "../src/threads/spawn-module-thread.js";

/**
 * The machine's WebAssembly SIMD multiply-add peak on one thread: the GEMM's
 * inner loop (8 f32x4 accumulators, 2 vector loads and 4 splat loads per step,
 * 8 f32x4.mul + 8 f32x4.add) over 64 steps of data that stays in L1, without
 * the stores. Assembled with the kernels' emitter (a plain WebAssembly
 * assembler), so it is the same instruction mix as descent's kernel.
 */
export function measureSimdPeak(budgetMs = 600): number {
  const module = new ModuleBuilder({ initialPages: 1, maximumPages: 1, shared: false });
  const f = module.func("peak", { iterations: "i32" }, ["f32"]);
  const iterations = f.param("iterations");
  const acc = Array.from({ length: 8 }, (_, i) => f.local("v128", `acc${i}`));
  const [b0, b1, a] = ["b0", "b1", "a"].map((name) => f.local("v128", name));
  const [step, address] = ["step", "address"].map((name) => f.local("i32", name));
  const body: Code[] = [set(b0, v128.load(get(address))), set(b1, v128.load(get(address), 16))];
  for (let r = 0; r < 4; r++) {
    body.push(set(a, v128.load32Splat(get(address), 32 + 4 * r)));
    body.push(set(acc[2 * r], f32x4.add(get(acc[2 * r]), f32x4.mul(get(a), get(b0)))));
    body.push(set(acc[2 * r + 1], f32x4.add(get(acc[2 * r + 1]), f32x4.mul(get(a), get(b1)))));
  }
  body.push(set(address, i32.and(i32.add(get(address), i32.const(48)), i32.const(4095))));
  const again = label("again");
  const sum = acc.slice(1).reduce<Code>((total, x) => f32x4.add(total, get(x)), get(acc[0]));
  f.define(set(step, get(iterations)), loop(again, ...body, brIf(again, tee(step, i32.sub(get(step), i32.const(1))))), f32x4.extractLane(sum, 0));
  const api = webAssemblyApi()!;
  const memory = new api.Memory({ initial: 1, maximum: 1, shared: false });
  const instance = new api.Instance(new api.Module(module.build()), { env: { memory } });
  const peak = instance.exports.peak as (iterations: number) => number;
  const iterationsPerCall = 1 << 20;
  peak(iterationsPerCall);
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const started = performance.now();
    while (performance.now() - started < budgetMs / 5) {
      peak(iterationsPerCall);
      calls++;
    }
    best = Math.max(best, (calls * iterationsPerCall * 8 * 8) / ((performance.now() - started) / 1000) / 1e9);
  }
  return best;
}

/**
 * The same peak measured on `threads` threads at once (this one and worker
 * threads), summed: about `threads` times one thread's when the cores are
 * real, separate and free; less when they are hyperthreads of one core or
 * busy with other work (run.ts prints other processes' load beside it).
 */
export async function measureSimdPeakOnThreads(threads: number, budgetMs = 600): Promise<number> {
  const workers = Array.from({ length: threads - 1 }, () => spawnModuleThread(new URL(`./peak-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url), {}));
  try {
    const ask = (worker: Worker, ms: number) => new Promise<number>((resolve, reject) => worker.once("message", resolve).once("error", reject).postMessage(ms));
    await Promise.all(workers.map((worker) => ask(worker, 50))); // started and warm
    const others = Promise.all(workers.map((worker) => ask(worker, budgetMs)));
    const mine = measureSimdPeak(budgetMs);
    return mine + (await others).reduce((sum, peak) => sum + peak, 0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
