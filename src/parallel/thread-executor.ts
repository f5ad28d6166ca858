import type { Worker } from "node:worker_threads";
import type { KernelBinding, KernelExecutor, WasmApi } from "../engine/index.js";
import { ARGS_AT, claimCall, CONTROL_WORDS, endTicket, ERROR_AT, firstTicket, MAX_ARGS, MAX_CALLS, MAX_NAME, NAME_AT, readText, Word, writeText } from "./control-block.js";
import type { BindMessage, KernelThreadData } from "./kernel-thread.js";
import { spawnModuleThread } from "../threads/spawn-module-thread.js";

// Threads load their module (under tsx, compile it) before their first call: seconds on a loaded machine.
const START_TIMEOUT_MS = 60_000;

/** What createThreadExecutor returns: the engine's KernelExecutor port, and close(). */
export interface ThreadExecutor extends KernelExecutor {
  /** Runs that found a kernel thread asleep and had to wake it (Atomics.notify), since the executor was made. */
  readonly wakeups: number;
  /** Ends the kernel threads. The executor must not be used after. */
  close(): Promise<void>;
}

export interface ThreadExecutorOptions {
  /**
   * How long a kernel thread spins for the next run before it sleeps, and the
   * caller for the threads' last calls, in ms. Waking a sleeping thread holds
   * the caller 25 µs on a quiet machine, 350 µs on a busy one (a 16 MFLOP
   * product takes ~450 µs on one thread); a split product is two runs back to
   * back (pack op(B), then the blocks of C), so the second never wakes anyone.
   * Longer spins also bridge the gaps between the products of a training step
   * (0.3-1 ms), but the spinning core is taken from everything else,
   * this process's other threads included when the scheduler groups them
   * (Linux autogroup); 0 sleeps at once.
   * @defaultValue 0.5
   */
  spinMs?: number;
}

const DEFAULT_SPIN_MS = 0.5;

/**
 * Runs the engine's kernel calls on `threads` threads: this one and
 * threads - 1 worker threads, which instantiate the engine's WebAssembly
 * module over its shared memory when first given it and then wait on a
 * control block (Atomics), so a call costs no message. Every thread takes
 * calls until none is left, so a thread held up by other work on the machine
 * slows a run less. The engine decides what is large enough to split
 * (src/engine/kernels/wasm/wasm-gemm.ts).
 */
export function createThreadExecutor(threads: number, options: ThreadExecutorOptions = {}): ThreadExecutor {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createThreadExecutor: threads must be a positive integer, got ${threads}`);
  const spinMs = options.spinMs ?? DEFAULT_SPIN_MS;
  if (!(spinMs >= 0 && spinMs <= 1000)) throw new Error(`createThreadExecutor: spinMs must be between 0 and 1000, got ${spinMs}`);
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
  const words = new Int32Array(control);
  const workers: Worker[] = [];
  for (let index = 1; index < threads; index++) {
    const worker = spawnModuleThread(new URL(`./kernel-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url), { workerData: { control, index, spinMs } satisfies KernelThreadData });
    worker.unref(); // an executor left open does not keep the process alive
    workers.push(worker);
  }
  let bound: KernelBinding | null = null;
  let exports: Record<string, (...args: number[]) => void> = {};
  let lastName = "";
  const args: number[] = [];
  let closed = false;
  let wakeups = 0;

  const bind = (kernels: KernelBinding): void => {
    if (bound === kernels) return;
    if (bound !== null) throw new Error("this executor already runs another set of kernels");
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    exports = new wasm.Instance(kernels.module, { env: { memory: kernels.memory } }).exports as typeof exports;
    for (const worker of workers) worker.postMessage({ module: kernels.module, memory: kernels.memory } satisfies BindMessage);
    // Blocking here is fine: the threads start and instantiate on their own event loops.
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let ready = Atomics.load(words, Word.ready); ready < workers.length; ready = Atomics.load(words, Word.ready)) {
      if (Date.now() > deadline) throw new Error(`executor: ${workers.length - ready} kernel thread(s) did not start within ${START_TIMEOUT_MS / 1000} s`);
      Atomics.wait(words, Word.ready, ready, 100);
    }
    bound = kernels;
  };

  return {
    threads,
    get wakeups() {
      return wakeups;
    },
    run(kernels, name, callArgs, count, argsPerCall) {
      if (closed) throw new Error("the executor is closed");
      if (count >= MAX_CALLS || argsPerCall >= MAX_ARGS || name.length >= MAX_NAME) throw new Error(`executor: ${count} calls of ${name} with ${argsPerCall} arguments do not fit the control block`);
      bind(kernels);
      if (name !== lastName) {
        words[Word.nameLength] = writeText(words, NAME_AT, MAX_NAME, name);
        lastName = name;
      }
      const kernel = exports[name];
      if (kernel === undefined) throw new Error(`the kernels have no export ${name}`);
      for (let call = 0; call < count; call++) {
        for (let i = 0; i < argsPerCall; i++) words[ARGS_AT + call * MAX_ARGS + i] = callArgs[call * argsPerCall + i];
      }
      words[Word.argsPerCall] = argsPerCall;
      Atomics.store(words, Word.pending, count);
      const generation = (words[Word.generation] + 1) | 0;
      // The end before the ticket: a thread that reads this run's ticket then finds this run's end.
      Atomics.store(words, Word.end, endTicket(generation, count));
      Atomics.store(words, Word.ticket, firstTicket(generation));
      Atomics.store(words, Word.generation, generation);
      if (Atomics.load(words, Word.sleepers) > 0) {
        wakeups++;
        Atomics.notify(words, Word.generation);
      }
      // This thread takes calls too; even when one fails, the others are waited for, so the next run starts clean.
      let failure: unknown = null;
      args.length = argsPerCall + 1;
      args[argsPerCall] = 0;
      for (let call = claimCall(words, generation); call >= 0; call = claimCall(words, generation)) {
        for (let i = 0; i < argsPerCall; i++) args[i] = callArgs[call * argsPerCall + i];
        try {
          kernel.apply(null, args);
        } catch (error) {
          failure ??= error;
        }
        Atomics.sub(words, Word.pending, 1);
      }
      const deadline = performance.now() + spinMs;
      for (let spins = 1, pending = Atomics.load(words, Word.pending); pending !== 0; spins++, pending = Atomics.load(words, Word.pending)) {
        if ((spins & 1023) === 0 && performance.now() > deadline) Atomics.wait(words, Word.pending, pending);
      }
      const failed = Atomics.exchange(words, Word.failed, 0);
      if (failure !== null) throw failure;
      if (failed !== 0) throw new Error(`kernel thread ${failed} failed in ${name}: ${readText(words, ERROR_AT)}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(words, Word.stop, 1);
      Atomics.add(words, Word.generation, 1);
      Atomics.notify(words, Word.generation);
      // Bound threads return from their loop; threads never bound wait for a message. Either way they hold nothing.
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
