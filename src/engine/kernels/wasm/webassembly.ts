/**
 * The few WebAssembly JS API types the engine uses. TypeScript declares them
 * only in its DOM libraries, and the engine compiles without DOM or Node types,
 * so they are written out here and the API is read from globalThis (where it
 * may be missing: the engine then keeps to its TypeScript kernels).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** A compiled module: can be posted to worker threads and instantiated there over the same memory. */
export interface WasmModule {
  readonly compiledWasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

export function webAssemblyApi(): WasmApi | null {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}
