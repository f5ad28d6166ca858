import { currentExecutor } from "../executor.js";
import { GEMM_TILE, GEMM_WORKSPACE_BYTES, GemmFlag } from "./gemm-kernels.js";
import { stage, unstage } from "./staging.js";
import type { WasmKernels } from "./wasm-kernels.js";

// Below this many flops a product runs on the calling thread: waking the others costs more (measured: bench/run.ts).
const PARALLEL_MIN_FLOPS = 1 << 22;
const GEMM_ARGS = 13;

const workspaces: number[] = [];
let callArgs = new Int32Array(GEMM_ARGS);

/**
 * C = op(A) . op(B) (+ C when accumulate) (+ bias per column) (relu) with the
 * WebAssembly kernel; m, n, k >= 1. Operands in the kernels' heap are used in
 * place, others are staged (copied) in and out. With an executor, a large
 * product is split into blocks of C, one per thread: each element is summed
 * in the same order whatever the split, so the result does not depend on the
 * number of threads.
 */
export function wasmGemm(kernels: WasmKernels, transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, bias: Float32Array | null, relu: boolean): void {
  const aAddress = stage(kernels, 0, a, m * k, true);
  const bAddress = stage(kernels, 1, b, k * n, true);
  const cAddress = stage(kernels, 2, c, m * n, accumulate);
  const biasAddress = bias === null ? 0 : stage(kernels, 3, bias, n, true);
  const flags = (transA ? GemmFlag.transA : 0) | (transB ? GemmFlag.transB : 0) | (accumulate ? GemmFlag.accumulate : 0) | (bias !== null ? GemmFlag.bias : 0) | (relu ? GemmFlag.relu : 0);
  const executor = currentExecutor();
  const parts = executor === null || 2 * m * n * k < PARALLEL_MIN_FLOPS ? 1 : Math.min(executor.threads, Math.max(Math.ceil(m / GEMM_TILE.rows), Math.ceil(n / GEMM_TILE.columns)));
  if (parts === 1) {
    kernels.exports.gemm(flags, m, n, k, aAddress, bAddress, cAddress, biasAddress, workspace(kernels, 0), 0, m, 0, n);
  } else {
    if (callArgs.length < parts * GEMM_ARGS) callArgs = new Int32Array(parts * GEMM_ARGS);
    // Split the longer side of C, in whole tiles.
    const byRows = m >= n;
    const unit = byRows ? GEMM_TILE.rows : GEMM_TILE.columns;
    const units = Math.ceil((byRows ? m : n) / unit);
    for (let part = 0; part < parts; part++) {
      const start = Math.min(byRows ? m : n, Math.floor((units * part) / parts) * unit);
      const end = Math.min(byRows ? m : n, Math.floor((units * (part + 1)) / parts) * unit);
      const at = part * GEMM_ARGS;
      callArgs[at] = flags;
      callArgs[at + 1] = m;
      callArgs[at + 2] = n;
      callArgs[at + 3] = k;
      callArgs[at + 4] = aAddress;
      callArgs[at + 5] = bAddress;
      callArgs[at + 6] = cAddress;
      callArgs[at + 7] = biasAddress;
      callArgs[at + 8] = workspace(kernels, part);
      callArgs[at + 9] = byRows ? start : 0;
      callArgs[at + 10] = byRows ? end : m;
      callArgs[at + 11] = byRows ? 0 : start;
      callArgs[at + 12] = byRows ? n : end;
    }
    executor!.run(kernels, "gemm", callArgs, parts, GEMM_ARGS);
  }
  unstage(kernels, c, cAddress, m * n);
}

/** The packing workspace of thread `part`, reserved once. */
function workspace(kernels: WasmKernels, part: number): number {
  while (workspaces.length <= part) {
    const address = kernels.heap.reserve(GEMM_WORKSPACE_BYTES);
    if (address < 0) throw new Error("gemm: no room in the kernels' memory for a packing workspace");
    workspaces.push(address);
  }
  return workspaces[part];
}
