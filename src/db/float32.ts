// Datasets and weights are stored as little-endian float32 bytes. Node runs on
// little-endian machines (x86-64, arm64), so the typed array's own bytes are
// already in that order; we copy to detach from Prisma's or pg's buffers.

export function float32ToBytes(values: Float32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength) as ArrayBuffer);
}

export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`float32 blob has ${bytes.byteLength} bytes, not a multiple of 4`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
