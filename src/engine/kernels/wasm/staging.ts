import type { WasmKernels } from "./wasm-kernels.js";

/**
 * Arrays outside the kernels' heap (made before the wasm path was selected,
 * by a caller, or when the heap is full) are copied into staging buffers,
 * one per argument slot, grown on demand and reused.
 */
const buffers: (Float32Array | null)[] = [];

/** The address of `array` for the kernels: its own when it is in the heap, else a staging copy (filled when `copyIn`). */
export function stage(kernels: WasmKernels, slot: number, array: Float32Array, length: number, copyIn: boolean): number {
  if (kernels.heap.contains(array)) return array.byteOffset;
  let buffer = buffers[slot] ?? null;
  if (buffer === null || buffer.length < length) {
    buffer = kernels.heap.allocate(Math.max(length, 2 * (buffer?.length ?? 0)));
    if (buffer === null) throw new Error("kernels: no room in the kernels' memory to stage an operand");
    buffers[slot] = buffer;
  }
  if (copyIn) {
    if (array.length === length) buffer.set(array);
    else for (let i = 0; i < length; i++) buffer[i] = array[i];
  }
  return buffer.byteOffset;
}

/** Copies a staged result back into `array` (nothing to do when it is in the heap). */
export function unstage(kernels: WasmKernels, array: Float32Array, address: number, length: number): void {
  if (kernels.heap.contains(array)) return;
  const staged = kernels.heap.view(address, length);
  if (array.length === length) array.set(staged);
  else for (let i = 0; i < length; i++) array[i] = staged[i];
}
