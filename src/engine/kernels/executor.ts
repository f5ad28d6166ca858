import type { WasmMemory, WasmModule } from "./wasm/webassembly.js";

/**
 * The port through which the engine spreads a large kernel call over threads
 * (src/parallel's createThreadExecutor implements it; fit and createTrainer
 * take one as `executor`). The engine splits the work into independent calls
 * of one export of its WebAssembly module; the executor runs them at once.
 */
export interface KernelExecutor {
  /** Threads that run calls at once, the calling thread included. */
  readonly threads: number;
  /**
   * Runs `count` calls of export `name` of `kernels.module`, instantiated over
   * `kernels.memory` in each thread. Call i takes args[i * argsPerCall ..
   * (i + 1) * argsPerCall) (i32 values) followed by the index (0 .. threads - 1,
   * 0 = the calling thread) of the thread that runs it, so that it can use
   * that thread's scratch memory. Threads take calls in turn until none is
   * left; returns when every call has returned.
   */
  run(kernels: KernelBinding, name: string, args: Int32Array, count: number, argsPerCall: number): void;
}

/** What a thread needs to run the engine's kernels over the engine's memory. */
export interface KernelBinding {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
}

let current: KernelExecutor | null = null;

/** The executor of the compute running now (set by withExecutor), or null. */
export function currentExecutor(): KernelExecutor | null {
  return current;
}

/**
 * Makes `executor` take the large kernel calls from now on; returns the
 * previous one, to be put back (in a finally) when the synchronous compute
 * that needs it ends, so that interleaved fits never see each other's.
 */
export function useExecutor(executor: KernelExecutor | null | undefined): KernelExecutor | null {
  const previous = current;
  current = executor ?? null;
  return previous;
}

/** Runs `work` with `executor` taking the large kernel calls (for callers of gemm; fit and createTrainer take `executor`). */
export function withExecutor<T>(executor: KernelExecutor | null, work: () => T): T {
  const previous = useExecutor(executor);
  try {
    return work();
  } finally {
    useExecutor(previous);
  }
}
