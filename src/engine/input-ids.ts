import { planModel } from "./model-plan.js";
import type { ModelSpec } from "./types.js";

/** A value of the model's input that an embedding cannot look up. */
export interface InvalidId {
  sample: number;
  /** Index within the sample (the step, or the column). */
  position: number;
  value: number;
  /** The embedding layer that refuses it. */
  layer: number;
  inputDim: number;
}

/**
 * Which positions of a sample's input are ids, and of which embedding:
 * embeddings read the model's input, all of it or the columns a
 * selectColumns layer picks out of it (model-plan.ts enforces the wiring).
 */
export interface IdLimit {
  /** Per position of a sample: ids there are integers in [0, inputDims[p]); 0: not an id. */
  inputDims: Int32Array;
  /** Per position: the embedding layer with that fewest ids. */
  layers: Int32Array;
}

/** From the spec, once per model (null: no embedding, nothing to check). */
export function embeddingIdLimit(spec: ModelSpec): IdLimit | null {
  if (!spec.layers.some((layer) => layer.type === "embedding")) return null;
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const width = spec.inputShape[spec.inputShape.length - 1];
  const inputDims = new Int32Array(size);
  const layers = new Int32Array(size);
  const { summaries } = planModel(spec);
  spec.layers.forEach((layer, index) => {
    if (layer.type !== "embedding") return;
    const source = summaries[index].inputs[0];
    const from = source >= 0 ? spec.layers[source] : null;
    const columns = from?.type === "selectColumns" ? from.indices! : null;
    const limit = (position: number) => {
      if (inputDims[position] === 0 || layer.inputDim < inputDims[position]) {
        inputDims[position] = layer.inputDim;
        layers[position] = index;
      }
    };
    for (let position = 0; position < size; position++) {
      if (columns === null || columns.includes(position % width)) limit(position);
    }
  });
  return { inputDims, layers };
}

/**
 * The first id of `x` (n samples) outside its embedding's range, or null.
 * Checked before training and prediction, so that a bad id is an error about
 * the data, not a crash.
 */
export function findInvalidId(limit: IdLimit | null, x: Float32Array, n: number): InvalidId | null {
  if (limit === null) return null;
  const { inputDims } = limit;
  const width = inputDims.length;
  for (let i = 0; i < x.length; i++) {
    const position = i % width;
    const inputDim = inputDims[position];
    if (inputDim === 0) continue;
    const value = x[i];
    if (!(Number.isInteger(value) && value >= 0 && value < inputDim)) {
      return { sample: Math.floor(i / width), position, value, layer: limit.layers[position], inputDim };
    }
  }
  return null;
}

export function describeInvalidId(invalid: InvalidId): string {
  return `${invalid.value} is not an id of embedding layer ${invalid.layer}: ids are integers from 0 to ${invalid.inputDim - 1}`;
}
