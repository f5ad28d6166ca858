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

/** The ids every embedding of a model takes: integers in [0, inputDim) of the one with the fewest. */
export interface IdLimit {
  layer: number;
  inputDim: number;
}

/** From the spec, once per model (null: no embedding, nothing to check). */
export function embeddingIdLimit(spec: ModelSpec): IdLimit | null {
  let limit: IdLimit | null = null;
  spec.layers.forEach((layer, index) => {
    if (layer.type === "embedding" && (limit === null || layer.inputDim < limit.inputDim)) limit = { layer: index, inputDim: layer.inputDim };
  });
  return limit;
}

/**
 * Embeddings read the model's input as integer ids (model-plan.ts enforces
 * the wiring): the first value of `x` (n samples) outside `limit`, or null.
 * Checked before training and prediction, so that a bad id is an error about
 * the data, not a crash.
 */
export function findInvalidId(limit: IdLimit | null, x: Float32Array, n: number): InvalidId | null {
  if (limit === null) return null;
  const width = x.length / n;
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    if (!(Number.isInteger(value) && value >= 0 && value < limit.inputDim)) {
      return { sample: Math.floor(i / width), position: i % width, value, layer: limit.layer, inputDim: limit.inputDim };
    }
  }
  return null;
}

export function describeInvalidId(invalid: InvalidId): string {
  return `${invalid.value} is not an id of embedding layer ${invalid.layer}: ids are integers from 0 to ${invalid.inputDim - 1}`;
}
