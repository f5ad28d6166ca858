import { asNetwork } from "./model.js";
import type { Model, WeightEntry } from "./types.js";

/**
 * All weights (trainable or not) in one little-endian float32 buffer, in layer
 * order, with a manifest saying where each one starts. Nothing else goes in,
 * so the same weights always give the same bytes.
 */
export function exportWeights(model: Model): { manifest: WeightEntry[]; data: Uint8Array } {
  const network = asNetwork(model);
  const manifest: WeightEntry[] = [];
  let offset = 0;
  for (const { name, tensor } of network.weights) {
    manifest.push({ name, shape: [...tensor.shape], offset });
    offset += tensor.size;
  }
  const data = new Uint8Array(offset * 4);
  const view = new DataView(data.buffer);
  for (let w = 0; w < network.weights.length; w++) {
    const values = network.weights[w].tensor.data;
    const base = manifest[w].offset * 4;
    for (let i = 0; i < values.length; i++) view.setFloat32(base + i * 4, values[i], true);
  }
  return { manifest, data };
}

/** Loads weights saved by exportWeights into a model of the same spec; throws if a name or shape differs. */
export function importWeights(model: Model, manifest: WeightEntry[], data: Uint8Array): void {
  const network = asNetwork(model);
  if (manifest.length !== network.weights.length) {
    throw new Error(`importWeights: the manifest lists ${manifest.length} weights, the model has ${network.weights.length}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // Check everything before writing anything, so a failed import leaves the model as it was.
  network.weights.forEach(({ name, tensor }, w) => {
    const entry = manifest[w];
    const same = entry.name === name && entry.shape.length === tensor.shape.length && entry.shape.every((d, i) => d === tensor.shape[i]);
    if (!same) throw new Error(`importWeights: weight ${w} is ${name} [${tensor.shape.join(", ")}], the manifest has ${entry.name} [${entry.shape.join(", ")}]`);
    if (!Number.isInteger(entry.offset) || entry.offset < 0 || (entry.offset + tensor.size) * 4 > data.byteLength) {
      throw new Error(`importWeights: ${name} at offset ${entry.offset} runs past the end of the ${data.byteLength}-byte buffer`);
    }
  });
  network.weights.forEach(({ tensor }, w) => {
    const base = manifest[w].offset * 4;
    for (let i = 0; i < tensor.size; i++) tensor.data[i] = view.getFloat32(base + i * 4, true);
  });
}
