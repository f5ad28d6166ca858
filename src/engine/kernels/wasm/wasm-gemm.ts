import { currentExecutor } from "../executor.js";
import { GEMM_WORKSPACE_BYTES, GemmFlag } from "./gemm-kernels.js";
import { splitGemm, type GemmCall } from "./gemm-split.js";
import { stage, unstage } from "./staging.js";
import type { WasmKernels } from "./wasm-kernels.js";

// Below this many flops a product runs on the calling thread. At 4 MFLOP the MLP's batch-32 products were split,
// and 2 threads trained 15-30% slower than one on this shared machine (bench/run.ts); 16 MFLOP keeps them whole.
const PARALLEL_MIN_FLOPS = 1 << 24;

let workspaces = { address: 0, threads: 0 };
// One record for every product: nothing allocated per call.
const product: GemmCall = { flags: 0, transB: false, m: 0, n: 0, k: 0, a: 0, b: 0, c: 0, bias: 0, workspaces: 0 };

/**
 * C = op(A) . op(B) (+ C when accumulate) (+ bias per column) (relu) with the
 * WebAssembly kernel; m, n, k >= 1. Operands in the kernels' heap are used in
 * place, others are staged (copied) in and out. With an executor, a large
 * product is split over its threads (gemm-split.ts): each element is summed in
 * the same order whatever the split and whoever computes it, so the result
 * does not depend on the number of threads.
 */
export function wasmGemm(kernels: WasmKernels, transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, bias: Float32Array | null, relu: boolean): void {
  const aAddress = stage(kernels, 0, a, m * k, true);
  const bAddress = stage(kernels, 1, b, k * n, true);
  const cAddress = stage(kernels, 2, c, m * n, accumulate);
  const biasAddress = bias === null ? 0 : stage(kernels, 3, bias, n, true);
  const flags = (transA ? GemmFlag.transA : 0) | (transB ? GemmFlag.transB : 0) | (accumulate ? GemmFlag.accumulate : 0) | (bias !== null ? GemmFlag.bias : 0) | (relu ? GemmFlag.relu : 0);
  const executor = currentExecutor();
  if (executor === null || executor.threads < 2 || 2 * m * n * k < PARALLEL_MIN_FLOPS) {
    kernels.exports.gemm(flags, m, n, k, aAddress, bAddress, cAddress, biasAddress, 0, m, 0, n, workspacesFor(kernels, 1), 0);
  } else {
    product.flags = flags;
    product.transB = transB;
    product.m = m;
    product.n = n;
    product.k = k;
    product.a = aAddress;
    product.b = bAddress;
    product.c = cAddress;
    product.bias = biasAddress;
    product.workspaces = workspacesFor(kernels, executor.threads);
    splitGemm(kernels, executor, product);
  }
  unstage(kernels, c, cAddress, m * n);
}

/** Packing workspaces for `threads` threads, side by side (the kernel finds its own by thread index); reserved once per thread count. */
function workspacesFor(kernels: WasmKernels, threads: number): number {
  if (workspaces.threads < threads) {
    const address = kernels.heap.reserve(threads * GEMM_WORKSPACE_BYTES);
    if (address < 0) throw new Error("gemm: no room in the kernels' memory for packing workspaces");
    workspaces = { address, threads };
  }
  return workspaces.address;
}
