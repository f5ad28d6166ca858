// A kernel thread of the executor: instantiates the engine's WebAssembly
// kernels over the shared memory it is given, then runs the calls the
// executor hands it through the control block until told to stop.
import { parentPort, workerData } from "node:worker_threads";
import type { WasmApi, WasmMemory, WasmModule } from "../engine/index.js";
import { ARGS_AT, claimCall, ERROR_AT, MAX_ARGS, MAX_ERROR, NAME_AT, readText, Word, writeText } from "./control-block.js";

export interface KernelThreadData {
  control: SharedArrayBuffer;
  /** This thread's index, passed to the kernels it runs (1 ..; 0 is the executor's own thread). */
  index: number;
  /** How long to spin for the next run before sleeping, in ms. */
  spinMs: number;
}

export interface BindMessage {
  module: WasmModule;
  memory: WasmMemory;
}

const { control, index, spinMs } = workerData as KernelThreadData;
const words = new Int32Array(control);
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

parentPort!.once("message", ({ module, memory }: BindMessage) => {
  const exports = new wasm.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
  // Read before saying ready: the first run bumps the generation as soon as every thread is ready.
  const generation = Atomics.load(words, Word.generation);
  Atomics.add(words, Word.ready, 1);
  Atomics.notify(words, Word.ready);
  serve(exports, generation);
  parentPort!.close();
});

/** Returns once the generation is no longer `seen`: spinning for up to spinMs, then asleep (counted in sleepers). */
function waitForRun(seen: number): void {
  const deadline = performance.now() + spinMs;
  for (let spins = 1; Atomics.load(words, Word.generation) === seen; spins++) {
    if ((spins & 1023) === 0 && performance.now() > deadline) {
      Atomics.add(words, Word.sleepers, 1);
      Atomics.wait(words, Word.generation, seen);
      Atomics.sub(words, Word.sleepers, 1);
    }
  }
}

function serve(exports: Record<string, (...args: number[]) => void>, generation: number): void {
  let seen = generation;
  let name = "";
  let kernel: ((...args: number[]) => void) | null = null;
  const args: number[] = [];
  for (;;) {
    waitForRun(seen);
    seen = Atomics.load(words, Word.generation);
    if (Atomics.load(words, Word.stop) !== 0) return;
    for (let call = claimCall(words, seen); call >= 0; call = claimCall(words, seen)) {
      try {
        const wanted = readText(words, NAME_AT, words[Word.nameLength]);
        if (wanted !== name) {
          name = wanted;
          kernel = exports[name] ?? null;
        }
        if (kernel === null) throw new Error(`the kernels have no export ${name}`);
        const perCall = words[Word.argsPerCall];
        args.length = perCall + 1;
        const at = ARGS_AT + call * MAX_ARGS;
        for (let i = 0; i < perCall; i++) args[i] = words[at + i];
        args[perCall] = index;
        kernel.apply(null, args);
      } catch (error) {
        if (Atomics.compareExchange(words, Word.failed, 0, index) === 0) writeText(words, ERROR_AT, MAX_ERROR, String(error));
      }
      if (Atomics.sub(words, Word.pending, 1) === 1) Atomics.notify(words, Word.pending);
    }
  }
}
