// Typed arrays that double their capacity as they fill: a column grows cell by
// cell without ever holding its values as JS values.

type Numeric = Float64Array | Int32Array | Uint32Array | Uint8Array;

export class GrowableArray<T extends Numeric> {
  data: T;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => T,
    capacity = 256,
  ) {
    this.data = make(capacity);
  }

  /** Makes room for `count` more values. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.data.length) return;
    const grown = this.make(Math.max(needed, this.data.length * 2));
    grown.set(this.data.subarray(0, this.length) as ArrayLike<number>);
    this.data = grown;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }

  /** Appends `count` copies of `value`. */
  pushRepeated(value: number, count: number): void {
    if (count <= 0) return;
    this.reserve(count);
    this.data.fill(value, this.length, this.length + count);
    this.length += count;
  }

  /** A copy of exactly `length` values: the spare capacity is given back. */
  trimmed(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const float64s = (capacity: number) => new Float64Array(capacity);
export const int32s = (capacity: number) => new Int32Array(capacity);
export const uint32s = (capacity: number) => new Uint32Array(capacity);
export const bytes = (capacity: number) => new Uint8Array(capacity);
