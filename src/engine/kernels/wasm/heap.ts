import type { WasmMemory } from "./webassembly.js";

/**
 * Float32Arrays that live in the kernels' WebAssembly memory, so that the
 * kernels read and write tensors in place (no copy in or out) and worker
 * threads see them too (the memory is shared). A block returns to the free
 * list when its Float32Array is garbage collected (FinalizationRegistry):
 * so a view made from a heap array (subarray, new Float32Array(buffer, ...))
 * must not outlive the array it was made from.
 *
 * The memory is shared, so growing it never detaches existing views (a
 * non-shared memory would detach every one of them): a view keeps the
 * SharedArrayBuffer object it was made from, and `buffers` remembers all of them.
 */
const ALIGNMENT = 64; // bytes: a cache line, and every f32x4 load aligned
const PAGE = 65536;

export class KernelHeap {
  private readonly buffers = new WeakSet<object>();
  private current: SharedArrayBuffer;
  /** Free blocks, sorted by offset, never adjacent (merged on free). */
  private readonly freeOffsets: number[] = [];
  private readonly freeSizes: number[] = [];
  private top = ALIGNMENT; // address 0 stays unused, as a null
  private readonly registry = new FinalizationRegistry<{ offset: number; size: number }>((block) => this.release(block.offset, block.size));
  /** Bytes in use (allocated and not yet collected). */
  bytesInUse = 0;

  constructor(
    private readonly memory: WasmMemory,
    private readonly maximumBytes: number,
  ) {
    this.current = this.refresh();
  }

  /**
   * A zeroed Float32Array of `length` in the heap, or null when the heap is at
   * its maximum (callers then allocate an ordinary array; kernels copy it in).
   */
  allocate(length: number): Float32Array | null {
    return this.allocateView(Float32Array, length);
  }

  /** The same for 32-bit integers (indices the kernels write, such as max pooling's winners). */
  allocateInts(length: number): Int32Array | null {
    return this.allocateView(Int32Array, length);
  }

  private allocateView<T extends Float32Array | Int32Array>(kind: new (buffer: SharedArrayBuffer, offset: number, length: number) => T, length: number): T | null {
    const offset = this.reserve(length * 4);
    if (offset < 0) return null;
    const view = new kind(this.current, offset, length);
    view.fill(0);
    this.registry.register(view, { offset, size: blockSize(length * 4) });
    return view;
  }

  /**
   * A region of at least `bytes` that is never freed (packing workspaces,
   * staging for arrays that live outside the heap); -1 when there is no room.
   */
  reserve(bytes: number): number {
    const size = blockSize(bytes);
    const offset = this.takeFree(size) ?? this.takeTop(size);
    if (offset >= 0) this.bytesInUse += size;
    return offset;
  }

  /** Whether `array` lies in this heap (so its byteOffset is its address for the kernels). */
  contains(array: Float32Array | Int32Array): boolean {
    return this.buffers.has(array.buffer);
  }

  /** A Float32Array over `length` floats at `offset` (for reading back staged results). */
  view(offset: number, length: number): Float32Array {
    if (offset + length * 4 > this.current.byteLength) this.current = this.refresh();
    return new Float32Array(this.current, offset, length);
  }

  private takeFree(size: number): number | null {
    let best = -1;
    for (let i = 0; i < this.freeSizes.length; i++) {
      if (this.freeSizes[i] >= size && (best < 0 || this.freeSizes[i] < this.freeSizes[best])) best = i;
    }
    if (best < 0) return null;
    const offset = this.freeOffsets[best];
    if (this.freeSizes[best] === size) {
      this.freeOffsets.splice(best, 1);
      this.freeSizes.splice(best, 1);
    } else {
      this.freeOffsets[best] += size;
      this.freeSizes[best] -= size;
    }
    return offset;
  }

  private takeTop(size: number): number {
    const end = this.top + size;
    if (end > this.maximumBytes) return -1;
    if (end > this.current.byteLength) {
      const pages = Math.ceil((end - this.current.byteLength) / PAGE);
      try {
        // Grow by at least a quarter, so that a growing model does not grow the memory tensor by tensor.
        this.memory.grow(Math.max(pages, Math.min(Math.ceil(this.current.byteLength / 4 / PAGE), (this.maximumBytes - this.current.byteLength) / PAGE)));
      } catch {
        return -1;
      }
      this.current = this.refresh();
    }
    const offset = this.top;
    this.top = end;
    return offset;
  }

  private release(offset: number, size: number): void {
    this.bytesInUse -= size;
    let i = 0;
    while (i < this.freeOffsets.length && this.freeOffsets[i] < offset) i++;
    this.freeOffsets.splice(i, 0, offset);
    this.freeSizes.splice(i, 0, size);
    // Merge with the next block, then with the previous one.
    if (i + 1 < this.freeOffsets.length && offset + this.freeSizes[i] === this.freeOffsets[i + 1]) {
      this.freeSizes[i] += this.freeSizes[i + 1];
      this.freeOffsets.splice(i + 1, 1);
      this.freeSizes.splice(i + 1, 1);
    }
    if (i > 0 && this.freeOffsets[i - 1] + this.freeSizes[i - 1] === offset) {
      this.freeSizes[i - 1] += this.freeSizes[i];
      this.freeOffsets.splice(i, 1);
      this.freeSizes.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the untouched space.
    if (this.freeOffsets[i] + this.freeSizes[i] === this.top) {
      this.top = this.freeOffsets[i];
      this.freeOffsets.splice(i, 1);
      this.freeSizes.splice(i, 1);
    }
  }

  private refresh(): SharedArrayBuffer {
    const buffer = this.memory.buffer as SharedArrayBuffer;
    this.buffers.add(buffer);
    return buffer;
  }
}

function blockSize(bytes: number): number {
  return Math.max(ALIGNMENT, Math.ceil(bytes / ALIGNMENT) * ALIGNMENT);
}
