import { currentExecutor } from "../executor.js";
import { GEMM_TILE, GEMM_WORKSPACE_BYTES, GemmFlag } from "./gemm-kernels.js";
import { stage, unstage } from "./staging.js";
import type { WasmKernels } from "./wasm-kernels.js";

// Below this many flops a product runs on the calling thread. At 4 MFLOP the MLP's batch-32 products were split,
// and 2 threads trained 15-30% slower than one on this shared machine (bench/run.ts); 16 MFLOP keeps them whole.
const PARALLEL_MIN_FLOPS = 1 << 24;
// Blocks per thread: threads take blocks as they come free, so one held up (a busy machine) is made up for by the others.
const BLOCKS_PER_THREAD = 2;
const GEMM_ARGS = 12; // the kernel's arguments before (workspaces, thread)

let workspaces = { address: 0, threads: 0 };
let callArgs = new Int32Array(GEMM_ARGS + 1);

/**
 * C = op(A) . op(B) (+ C when accumulate) (+ bias per column) (relu) with the
 * WebAssembly kernel; m, n, k >= 1. Operands in the kernels' heap are used in
 * place, others are staged (copied) in and out. With an executor, a large
 * product is split into blocks of C (along its longer side, in whole tiles),
 * which the threads take in turn: each element is summed in the same order
 * whatever the split and whoever computes it, so the result does not depend
 * on the number of threads.
 */
export function wasmGemm(kernels: WasmKernels, transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, bias: Float32Array | null, relu: boolean): void {
  const aAddress = stage(kernels, 0, a, m * k, true);
  const bAddress = stage(kernels, 1, b, k * n, true);
  const cAddress = stage(kernels, 2, c, m * n, accumulate);
  const biasAddress = bias === null ? 0 : stage(kernels, 3, bias, n, true);
  const flags = (transA ? GemmFlag.transA : 0) | (transB ? GemmFlag.transB : 0) | (accumulate ? GemmFlag.accumulate : 0) | (bias !== null ? GemmFlag.bias : 0) | (relu ? GemmFlag.relu : 0);
  const executor = currentExecutor();
  const byRows = m >= n;
  const unit = byRows ? GEMM_TILE.rows : GEMM_TILE.columns;
  const length = byRows ? m : n;
  const units = Math.ceil(length / unit);
  const blocks = executor === null || executor.threads < 2 || 2 * m * n * k < PARALLEL_MIN_FLOPS ? 1 : Math.min(units, executor.threads * BLOCKS_PER_THREAD);
  const threads = executor?.threads ?? 1;
  const workspace = workspacesFor(kernels, blocks === 1 ? 1 : threads);
  if (blocks === 1) {
    kernels.exports.gemm(flags, m, n, k, aAddress, bAddress, cAddress, biasAddress, 0, m, 0, n, workspace, 0);
  } else {
    if (callArgs.length < blocks * (GEMM_ARGS + 1)) callArgs = new Int32Array(blocks * (GEMM_ARGS + 1));
    for (let block = 0; block < blocks; block++) {
      const start = Math.min(length, Math.floor((units * block) / blocks) * unit);
      const end = Math.min(length, Math.floor((units * (block + 1)) / blocks) * unit);
      const at = block * (GEMM_ARGS + 1);
      callArgs[at] = flags;
      callArgs[at + 1] = m;
      callArgs[at + 2] = n;
      callArgs[at + 3] = k;
      callArgs[at + 4] = aAddress;
      callArgs[at + 5] = bAddress;
      callArgs[at + 6] = cAddress;
      callArgs[at + 7] = biasAddress;
      callArgs[at + 8] = byRows ? start : 0;
      callArgs[at + 9] = byRows ? end : m;
      callArgs[at + 10] = byRows ? 0 : start;
      callArgs[at + 11] = byRows ? n : end;
      callArgs[at + 12] = workspace;
    }
    executor!.run(kernels, "gemm", callArgs, blocks, GEMM_ARGS + 1);
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
