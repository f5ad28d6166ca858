import { GrowableArray, bytes, uint32s } from "./growable-array.js";
import { decodeUtf8, encodeUtf8Into } from "./utf8.js";

/**
 * The strings of a column, packed as UTF-8 in one byte array with an offset
 * per entry (Apache Arrow's layout): a million distinct strings are two typed
 * arrays, not a million JS strings.
 */
export class Vocabulary {
  /** `offsets` has size + 1 entries; entry i is bytes[offsets[i], offsets[i + 1]). */
  constructor(
    readonly bytes: Uint8Array,
    readonly offsets: Uint32Array,
  ) {}

  get size(): number {
    return this.offsets.length - 1;
  }

  get(index: number): string {
    return decodeUtf8(this.bytesOf(index));
  }

  bytesOf(index: number): Uint8Array {
    return this.bytes.subarray(this.offsets[index], this.offsets[index + 1]);
  }

  toArray(): string[] {
    return Array.from({ length: this.size }, (_, i) => this.get(i));
  }

  static of(strings: readonly string[]): Vocabulary {
    const builder = new VocabularyBuilder();
    for (const text of strings) builder.add(text);
    return builder.finish();
  }
}

export class VocabularyBuilder {
  private readonly bytes = new GrowableArray(bytes, 4096);
  private readonly offsets = new GrowableArray(uint32s);

  constructor() {
    this.offsets.push(0);
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  /** Appends `text`; returns its index. */
  add(text: string): number {
    this.bytes.reserve(text.length * 3); // the most UTF-8 bytes one UTF-16 unit can take
    this.bytes.length += encodeUtf8Into(text, this.bytes.data.subarray(this.bytes.length));
    this.offsets.push(this.bytes.length);
    return this.offsets.length - 2;
  }

  finish(): Vocabulary {
    return new Vocabulary(this.bytes.trimmed(), this.offsets.trimmed());
  }
}
