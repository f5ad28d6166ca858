import type { ModelSpec } from "./types.js";

/** A value of the model's input that an embedding cannot look up. */
export interface InvalidId {
  sample: number;
  /** Index within the sample (the step). */
  position: number;
  value: number;
  /** The embedding layer that refuses it. */
  layer: number;
  inputDim: number;
}

/**
 * Embeddings read the model's input as integer ids (model-plan.ts enforces
 * the wiring): the first value of `x` (n samples) that is not an integer in
 * [0, inputDim) of every embedding, or null. Checked before training and
 * prediction, so that a bad id is an error about the data, not a crash.
 */
export function findInvalidId(spec: ModelSpec, x: Float32Array, n: number): InvalidId | null {
  const embeddings = spec.layers.flatMap((layer, index) => (layer.type === "embedding" ? [{ index, inputDim: layer.inputDim }] : []));
  if (embeddings.length === 0) return null;
  const smallest = embeddings.reduce((a, b) => (b.inputDim < a.inputDim ? b : a));
  const width = x.length / n;
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    if (!(Number.isInteger(value) && value >= 0 && value < smallest.inputDim)) {
      return { sample: Math.floor(i / width), position: i % width, value, layer: smallest.index, inputDim: smallest.inputDim };
    }
  }
  return null;
}

export function describeInvalidId(invalid: InvalidId): string {
  return `${invalid.value} is not an id of embedding layer ${invalid.layer}: ids are integers from 0 to ${invalid.inputDim - 1}`;
}
