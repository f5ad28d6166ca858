import { decodeBase64 } from "./base64.js";
import { KernelHeap } from "./heap.js";
import { KERNEL_MEMORY } from "./kernel-module.js";
import { KERNELS_WASM_BASE64 } from "./kernels-wasm.js";
import { webAssemblyApi, type WasmMemory, type WasmModule } from "./webassembly.js";

/** The exports of kernels-wasm.ts. Addresses are byte offsets into the shared memory. */
export interface KernelExports {
  gemm(flags: number, m: number, n: number, k: number, a: number, b: number, c: number, bias: number, rowStart: number, rowEnd: number, colStart: number, colEnd: number, workspaces: number, thread: number): void;
  /** gemm over an op(B) packed whole by gemm_pack_b (gemm-kernels.ts). */
  gemm_packed_b(flags: number, m: number, n: number, k: number, a: number, packedB: number, c: number, bias: number, rowStart: number, rowEnd: number, colStart: number, colEnd: number, workspaces: number, thread: number): void;
  gemm_pack_b(b: number, n: number, k: number, trans: number, p0: number, kc: number, j0: number, nc: number, out: number): void;
  relu_backward(y: number, dy: number, dz: number, count: number): void;
  add_into(dst: number, src: number, count: number): void;
  column_sums_into(values: number, into: number, rows: number, cols: number): void;
  /** Window arguments: see image-kernels.ts. */
  im2col(image: number, cols: number, ...window: number[]): void;
  col2im_add(cols: number, image: number, ...window: number[]): void;
  maxpool_forward(x: number, y: number, winners: number, ...window: number[]): void;
  maxpool_backward(g: number, winners: number, dx: number, count: number): void;
  adam_update(w: number, g: number, m: number, v: number, count: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, epsilon: number, stepSize: number, decay: number): void;
}

/** The compiled kernels over their memory, and the heap tensors are allocated from. */
export interface WasmKernels {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly heap: KernelHeap;
  readonly exports: KernelExports;
}

let loaded: WasmKernels | null | undefined;

/**
 * Compiles and instantiates the kernels once per thread; null where
 * WebAssembly, its SIMD or shared memories are missing (the module does not
 * validate, or the memory cannot be made).
 */
export function loadWasmKernels(): WasmKernels | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const api = webAssemblyApi();
  if (api === null) return null;
  const bytes = decodeBase64(KERNELS_WASM_BASE64);
  if (!api.validate(bytes)) return null;
  try {
    const memory = new api.Memory({ initial: KERNEL_MEMORY.initialPages, maximum: KERNEL_MEMORY.maximumPages, shared: true });
    const module = new api.Module(bytes);
    const instance = new api.Instance(module, { env: { memory } });
    const heap = new KernelHeap(memory, KERNEL_MEMORY.maximumPages * 65536);
    loaded = { module, memory, heap, exports: instance.exports as unknown as KernelExports };
  } catch {
    loaded = null;
  }
  return loaded;
}
