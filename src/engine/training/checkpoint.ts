import type { TrainingCheckpoint } from "../types.js";

/**
 * A checkpoint as one self-describing byte buffer, for the worker to store:
 *   "DSCK", format version (u32 LE), JSON length (u32 LE), the JSON header,
 *   zero padding to a multiple of 4, then the float32 blobs the header points at.
 * Non-finite numbers (a best value of Infinity before any epoch) are written as strings.
 * Version 2 adds `inProgress` (a checkpoint taken mid-epoch, its sample order as
 * an int32 blob); version 1 buffers (epoch ends only) still decode.
 */
const MAGIC = [0x44, 0x53, 0x43, 0x4b]; // "DSCK"
const VERSION = 2;
const READABLE_VERSIONS = [1, 2];

interface Codec {
  encode(text: string): Uint8Array;
  decode(bytes: Uint8Array): string;
}
const scope = globalThis as unknown as { TextEncoder: new () => { encode(text: string): Uint8Array }; TextDecoder: new () => { decode(bytes: Uint8Array): string } };
const utf8: Codec = {
  encode: (text) => new scope.TextEncoder().encode(text),
  decode: (bytes) => new scope.TextDecoder().decode(bytes),
};

export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  const blobs: Uint8Array[] = [];
  let blobBytes = 0;
  const addBlob = (bytes: Uint8Array): { at: number; length: number } => {
    const at = blobBytes;
    blobs.push(bytes);
    blobBytes += bytes.byteLength;
    return { at, length: bytes.byteLength };
  };
  const header = {
    epoch: checkpoint.epoch,
    weights: { manifest: checkpoint.weights.manifest, blob: addBlob(checkpoint.weights.data) },
    optimizer: { iterations: checkpoint.optimizer.iterations, slots: checkpoint.optimizer.slots.map((s) => ({ name: s.name, blob: addBlob(float32Bytes(s.values)) })) },
    rng: checkpoint.rng,
    schedule: { ...checkpoint.schedule, plateauBest: finiteOrString(checkpoint.schedule.plateauBest) },
    earlyStopping:
      checkpoint.earlyStopping === null
        ? null
        : {
            bestValue: finiteOrString(checkpoint.earlyStopping.bestValue),
            bestEpoch: checkpoint.earlyStopping.bestEpoch,
            wait: checkpoint.earlyStopping.wait,
            bestWeights: checkpoint.earlyStopping.bestWeights ? addBlob(checkpoint.earlyStopping.bestWeights) : null,
          },
    history: checkpoint.history,
    inProgress: checkpoint.inProgress ? { ...checkpoint.inProgress, order: addBlob(int32Bytes(checkpoint.inProgress.order)) } : undefined,
  };
  const json = utf8.encode(JSON.stringify(header));
  const blobStart = Math.ceil((12 + json.byteLength) / 4) * 4;
  const out = new Uint8Array(blobStart + blobBytes);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.byteLength, true);
  out.set(json, 12);
  let at = blobStart;
  for (const blob of blobs) {
    out.set(blob, at);
    at += blob.byteLength;
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error("decodeCheckpoint: not a descent checkpoint");
  const version = view.getUint32(4, true);
  if (!READABLE_VERSIONS.includes(version)) throw new Error(`decodeCheckpoint: unsupported format version ${version}`);
  const jsonLength = view.getUint32(8, true);
  const header = JSON.parse(utf8.decode(bytes.subarray(12, 12 + jsonLength)));
  const blobStart = Math.ceil((12 + jsonLength) / 4) * 4;
  const blob = (ref: { at: number; length: number }): Uint8Array => bytes.slice(blobStart + ref.at, blobStart + ref.at + ref.length);
  const checkpoint: TrainingCheckpoint = {
    epoch: header.epoch,
    weights: { manifest: header.weights.manifest, data: blob(header.weights.blob) },
    optimizer: {
      iterations: header.optimizer.iterations,
      slots: header.optimizer.slots.map((s: { name: string; blob: { at: number; length: number } }) => ({ name: s.name, values: float32FromBytes(blob(s.blob)) })),
    },
    rng: header.rng,
    schedule: { ...header.schedule, plateauBest: Number(header.schedule.plateauBest) },
    earlyStopping:
      header.earlyStopping === null
        ? null
        : { ...header.earlyStopping, bestValue: Number(header.earlyStopping.bestValue), bestWeights: header.earlyStopping.bestWeights ? blob(header.earlyStopping.bestWeights) : null },
    history: header.history,
  };
  if (header.inProgress) checkpoint.inProgress = { ...header.inProgress, order: int32FromBytes(blob(header.inProgress.order)) };
  return checkpoint;
}

function finiteOrString(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

function float32FromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function int32Bytes(values: Int32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i], true);
  return out;
}

function int32FromBytes(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}
