// Words of a text, read straight from its UTF-8 bytes: a word is a run of
// ASCII letters and digits and of non-ASCII bytes (so "Zürich" is one word),
// ASCII letters lower-cased. Each word is reported as its 32-bit FNV-1a hash,
// which is the same on every machine and in every run: stable buckets for
// the hashed bag of words.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function isWordByte(byte: number): boolean {
  return (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || byte >= 0x80;
}

/** Calls `onWord(hash)` for each word of `bytes`; returns the count of words. */
export function forEachWordHash(bytes: Uint8Array, onWord?: (hash: number) => void): number {
  let words = 0;
  let hash = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = i < bytes.length ? bytes[i] : 32;
    if (isWordByte(byte)) {
      const lower = byte >= 65 && byte <= 90 ? byte + 32 : byte;
      hash = Math.imul(hash ^ lower, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      onWord?.(hash >>> 0);
      words++;
      hash = FNV_OFFSET;
      inWord = false;
    }
  }
  return words;
}
