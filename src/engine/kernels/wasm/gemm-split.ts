import type { KernelExecutor } from "../executor.js";
import { GEMM_BLOCK, GEMM_TILE, packedBOffset, packedColumns } from "./gemm-kernels.js";
import type { WasmKernels } from "./wasm-kernels.js";

/**
 * How a product large enough for the executor is spread over its threads.
 *
 * Taller than wide (m >= n): op(B) is packed once, its column panels shared
 * out among the threads (one run of gemm_pack_b calls), then the threads take
 * blocks of rows of C that all read that one packed op(B) (gemm_packed_b).
 * Each block packing its own op(B), as before, packed it once per block: 4
 * times at 2 threads, 3.5% of a one-thread 512^3 A.B^T product each time.
 *
 * Wider than tall: blocks of columns of C, each packing its rows of op(A)
 * (the kernel's own `gemm`), as the split always did.
 *
 * Either way every element of C is computed by one call, summed in the order
 * one thread sums it, so the bits do not depend on the split.
 */

// At least this many blocks per thread: threads take blocks as they come free, so one held up (a busy machine) is made
// up for by the others. Blocks of rows are at most GEMM_BLOCK.rows tall: each streams the packed op(B) once, as one
// thread does per GEMM_BLOCK.rows rows, so a finer split costs no extra reads of it.
export const BLOCKS_PER_THREAD = 2;
export const GEMM_ARGS = 12; // gemm's arguments before (workspaces, thread)
const PACK_ARGS = 9; // gemm_pack_b's arguments
const MAX_BLOCKS = 64; // calls of one run (the executor's control block holds 127)

/** The operands and flags of one product, as the kernels take them (byte addresses); the caller reuses one record. */
export interface GemmCall {
  flags: number;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  a: number;
  b: number;
  c: number;
  bias: number;
  workspaces: number;
}

/** Where block `block` of `blocks` starts along `length`, in whole units of `unit` (block `blocks` = the end). */
export function blockStart(length: number, unit: number, blocks: number, block: number): number {
  return Math.min(length, Math.floor((Math.ceil(length / unit) * block) / blocks) * unit);
}

// Argument words reused from product to product: training allocates nothing per batch.
let callArgs = new Int32Array(0);
let packedB: Float32Array | null = null;

function argsFor(calls: number, perCall: number): Int32Array {
  if (callArgs.length < calls * perCall) callArgs = new Int32Array(calls * perCall);
  return callArgs;
}

/** Runs `product` over the executor's threads (see above); the caller has checked it is large enough. */
export function splitGemm(kernels: WasmKernels, executor: KernelExecutor, product: GemmCall): void {
  const packed = product.m >= product.n ? packedBFor(kernels, product.k * packedColumns(product.n)) : null;
  if (packed !== null) {
    packOpB(kernels, executor, product, packed.byteOffset);
    runBlocks(kernels, executor, "gemm_packed_b", product, packed.byteOffset, true);
  } else {
    runBlocks(kernels, executor, "gemm", product, product.b, product.m >= product.n);
  }
}

/** All of op(B) into `packed`: each depth block's column panels in one chunk per thread, at most MAX_BLOCKS calls a run. */
function packOpB(kernels: WasmKernels, executor: KernelExecutor, p: GemmCall, packed: number): void {
  const chunks = Math.min(executor.threads, Math.ceil(p.n / GEMM_TILE.columns));
  const args = argsFor(Math.min(MAX_BLOCKS, Math.ceil(p.k / GEMM_BLOCK.depth) * chunks), PACK_ARGS + 1);
  let calls = 0;
  for (let p0 = 0; p0 < p.k; p0 += GEMM_BLOCK.depth) {
    for (let chunk = 0; chunk < chunks; chunk++) {
      const j0 = blockStart(p.n, GEMM_TILE.columns, chunks, chunk);
      const at = calls++ * (PACK_ARGS + 1);
      args[at] = p.b;
      args[at + 1] = p.n;
      args[at + 2] = p.k;
      args[at + 3] = p.transB ? 1 : 0;
      args[at + 4] = p0;
      args[at + 5] = Math.min(GEMM_BLOCK.depth, p.k - p0);
      args[at + 6] = j0;
      args[at + 7] = blockStart(p.n, GEMM_TILE.columns, chunks, chunk + 1) - j0;
      args[at + 8] = packed + 4 * packedBOffset(p.n, p.k, p0, j0);
      if (calls === MAX_BLOCKS) {
        executor.run(kernels, "gemm_pack_b", args, calls, PACK_ARGS + 1);
        calls = 0;
      }
    }
  }
  if (calls > 0) executor.run(kernels, "gemm_pack_b", args, calls, PACK_ARGS + 1);
}

/**
 * Blocks of rows (or of columns) of C, each a call of `kernel` with op(B) at `b`: BLOCKS_PER_THREAD per thread,
 * more for rows past that many GEMM_BLOCK.rows (a block of columns packs its own op(A): those stay few).
 */
function runBlocks(kernels: WasmKernels, executor: KernelExecutor, kernel: string, p: GemmCall, b: number, byRows: boolean): void {
  const length = byRows ? p.m : p.n;
  const unit = byRows ? GEMM_TILE.rows : GEMM_TILE.columns;
  const wanted = Math.max(executor.threads * BLOCKS_PER_THREAD, byRows ? Math.ceil(p.m / GEMM_BLOCK.rows) : 0);
  const blocks = Math.min(Math.ceil(length / unit), wanted, MAX_BLOCKS);
  const args = argsFor(blocks, GEMM_ARGS + 1);
  for (let block = 0; block < blocks; block++) {
    const start = blockStart(length, unit, blocks, block);
    const end = blockStart(length, unit, blocks, block + 1);
    const at = block * (GEMM_ARGS + 1);
    args[at] = p.flags;
    args[at + 1] = p.m;
    args[at + 2] = p.n;
    args[at + 3] = p.k;
    args[at + 4] = p.a;
    args[at + 5] = b;
    args[at + 6] = p.c;
    args[at + 7] = p.bias;
    args[at + 8] = byRows ? start : 0;
    args[at + 9] = byRows ? end : p.m;
    args[at + 10] = byRows ? 0 : start;
    args[at + 11] = byRows ? p.n : end;
    args[at + 12] = p.workspaces;
  }
  executor.run(kernels, kernel, args, blocks, GEMM_ARGS + 1);
}

/** The buffer all of op(B) is packed into, grown for the largest product so far (the old one is collected); null when the heap is full. */
function packedBFor(kernels: WasmKernels, floats: number): Float32Array | null {
  if (packedB === null || packedB.length < floats) {
    packedB = kernels.heap.allocate(floats);
  }
  return packedB;
}
