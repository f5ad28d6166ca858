import { ModuleBuilder } from "./emitter/module.js";
import { addElementwiseKernels } from "./elementwise-kernels.js";
import { addGemmKernels } from "./gemm-kernels.js";
import { addImageKernels } from "./image-kernels.js";
import { addOptimizerKernels } from "./optimizer-kernels.js";

/** The kernels' memory: 16 MiB to start, at most 2 GiB (past that, tensors are ordinary arrays and get copied in). */
export const KERNEL_MEMORY = { initialPages: 256, maximumPages: 32768 } as const;

/**
 * Generates the kernels' WebAssembly module. `npm run build:kernels` writes
 * it to kernels-wasm.ts, which the engine loads; a test checks the two agree.
 */
export function buildKernelModule(): Uint8Array {
  const module = new ModuleBuilder({ ...KERNEL_MEMORY, shared: true });
  addGemmKernels(module);
  addElementwiseKernels(module);
  addImageKernels(module);
  addOptimizerKernels(module);
  return module.build();
}
