import { loadWasmKernels, type WasmKernels } from "./wasm/wasm-kernels.js";

/**
 * Which kernels run: "wasm" (WebAssembly SIMD, the default where it is
 * available) or "typescript" (the reference kernels, the path taken where
 * WebAssembly SIMD is missing). Results differ between the two in the last
 * bits (kernels/README.md); each is deterministic.
 */
export type KernelPath = "wasm" | "typescript";

let requested: KernelPath = "wasm";

/** Selects the kernel path (tests, benchmarks); returns the previous choice. Tensors allocated before keep working on either. */
export function useKernelPath(path: KernelPath): KernelPath {
  const previous = requested;
  requested = path;
  return previous;
}

/** The WebAssembly kernels when they are selected and available, else null. */
export function activeWasmKernels(): WasmKernels | null {
  return requested === "wasm" ? loadWasmKernels() : null;
}

/** The path that actually runs. */
export function kernelPath(): KernelPath {
  return activeWasmKernels() !== null ? "wasm" : "typescript";
}

/**
 * A zeroed Float32Array for a tensor or an op's buffer: in the kernels' heap
 * on the wasm path (kernels then use it in place), an ordinary one otherwise.
 */
export function allocateFloats(length: number): Float32Array {
  if (length === 0) return new Float32Array(0);
  return activeWasmKernels()?.heap.allocate(length) ?? new Float32Array(length);
}

/** The same for 32-bit integers. */
export function allocateInts(length: number): Int32Array {
  if (length === 0) return new Int32Array(0);
  return activeWasmKernels()?.heap.allocateInts(length) ?? new Int32Array(length);
}

/** The WebAssembly kernels when they are selected and every array lies in their heap (element-wise kernels are not worth a copy), else null. */
export function wasmKernelsFor(...arrays: (Float32Array | Int32Array)[]): WasmKernels | null {
  const kernels = activeWasmKernels();
  if (kernels === null) return null;
  for (const array of arrays) if (!kernels.heap.contains(array)) return null;
  return kernels;
}
