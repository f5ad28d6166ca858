import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { KernelHeap } from "../../src/engine/kernels/wasm/heap.js";
import { webAssemblyApi, type WasmMemory } from "../../src/engine/kernels/wasm/webassembly.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const PAGE = 65536;

function heap(maximumPages: number): { heap: KernelHeap; memory: WasmMemory } {
  const memory = new (webAssemblyApi()!.Memory)({ initial: 1, maximum: maximumPages, shared: true });
  return { heap: new KernelHeap(memory, maximumPages * PAGE), memory };
}

describe("the kernels' heap", () => {
  it("hands out zeroed, 64-byte aligned, disjoint arrays in the shared memory and grows it, old views staying valid", () => {
    const { heap: h, memory } = heap(64);
    const first = h.allocate(10)!;
    first.fill(3);
    const big = h.allocate(5 * PAGE)!; // past the first page: the memory grows
    expect(memory.buffer.byteLength).toBeGreaterThan(5 * PAGE * 4);
    expect([...first]).toEqual(new Array(10).fill(3));
    expect(big.every((v) => v === 0)).toBe(true);
    expect(first.byteOffset % 64).toBe(0);
    expect(big.byteOffset % 64).toBe(0);
    expect(big.byteOffset).toBeGreaterThanOrEqual(first.byteOffset + 40);
    expect(h.contains(first) && h.contains(big) && h.contains(new Float32Array(memory.buffer, 0, 4))).toBe(true);
    expect(h.contains(new Float32Array(4))).toBe(false);
    expect(h.allocateInts(3)).toBeInstanceOf(Int32Array);
  });

  it("returns null at its maximum, so that callers fall back to ordinary arrays", () => {
    const { heap: h } = heap(2);
    expect(h.allocate(PAGE / 4)).not.toBeNull();
    expect(h.allocate(PAGE)).toBeNull();
    expect(h.reserve(3 * PAGE)).toBe(-1);
  });

  it("takes back the block of an array once it is garbage collected, and hands it out again", async () => {
    const { heap: h } = heap(8);
    const keep = h.allocate(16)!;
    let dropped: Float32Array | null = h.allocate(1000)!;
    const offset = dropped.byteOffset;
    dropped.fill(7);
    dropped = null;
    const inUse = h.bytesInUse;
    for (let i = 0; i < 100 && h.bytesInUse === inUse; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve)); // finalization callbacks run as tasks
    }
    expect(h.bytesInUse).toBe(inUse - 4032);
    const again = h.allocate(900)!;
    expect(again.byteOffset).toBe(offset);
    expect(again.every((v) => v === 0)).toBe(true);
    expect(keep.byteOffset).not.toBe(offset);
  });
});
