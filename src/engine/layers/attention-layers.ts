import { BOUNDS } from "../contract.js";
import { addPositions } from "../ops/add-positions.js";
import { attention } from "../ops/attention.js";
import { dense } from "../ops/dense.js";
import { reshape } from "../ops/reshape.js";
import type { Tensor } from "../tensor.js";
import type { LayerSpec } from "../types.js";
import { checkBound, checkKnownFields, layerError } from "./checks.js";
import type { LayerKind, WeightDefinition } from "./layer.js";

// Self-attention over [steps, dim] and the learned position embedding a transformer block starts with.

type AttentionSpec = Extract<LayerSpec, { type: "multiHeadAttention" }>;
type PositionSpec = Extract<LayerSpec, { type: "positionEmbedding" }>;

function checkSequence(inputShape: readonly number[], index: number, type: string): void {
  if (inputShape.length !== 2) {
    const hint = index === 0 ? "; declare the dataset's inputShape as [steps, features]" : " (an embedding's output, or a sequence dataset)";
    throw layerError(index, type, null, `needs a sequence input [steps, dim], got [${inputShape.join(", ")}]${hint}`);
  }
}

function sizes(spec: AttentionSpec, inputShape: readonly number[]) {
  const dim = inputShape[1];
  return { dim, heads: spec.numHeads, keyDim: spec.keyDim, valueDim: spec.valueDim ?? spec.keyDim, outputDim: spec.outputDim ?? dim };
}

/**
 * Keras's MultiHeadAttention used as self-attention (query = key = value =
 * the input): per head, softmax(Q K^T / sqrt(keyDim)) V, the heads side by
 * side, then the output projection. Kernels are Keras's [dim, heads, keyDim]
 * etc. with their leading axes flattened ([dim, heads * keyDim]).
 */
export const multiHeadAttentionLayer: LayerKind<AttentionSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["numHeads", "keyDim", "valueDim", "outputDim", "causal", "useBias"]);
    checkSequence(inputShape, index, "multiHeadAttention");
    checkBound(spec.numHeads, BOUNDS.attentionHeads, index, "multiHeadAttention", "numHeads");
    checkBound(spec.keyDim, BOUNDS.units, index, "multiHeadAttention", "keyDim");
    if (spec.valueDim !== undefined) checkBound(spec.valueDim, BOUNDS.units, index, "multiHeadAttention", "valueDim");
    if (spec.outputDim !== undefined) checkBound(spec.outputDim, BOUNDS.units, index, "multiHeadAttention", "outputDim");
    for (const field of ["causal", "useBias"] as const) {
      if (spec[field] !== undefined && typeof spec[field] !== "boolean") throw layerError(index, "multiHeadAttention", field, `${field} must be a boolean`);
    }
    return [inputShape[0], sizes(spec, inputShape).outputDim];
  },

  weights(spec, inputShape) {
    const { dim, heads, keyDim, valueDim, outputDim } = sizes(spec, inputShape);
    const projection = (name: string, inputs: number, units: number): WeightDefinition[] => [
      { name: `${name}Kernel`, shape: [inputs, units], trainable: true, initializer: "glorotUniform", fanIn: inputs, fanOut: units },
      ...(spec.useBias === false ? [] : [{ name: `${name}Bias`, shape: [units], trainable: true, initializer: "zeros" as const, fanIn: inputs, fanOut: units }]),
    ];
    return [...projection("query", dim, heads * keyDim), ...projection("key", dim, heads * keyDim), ...projection("value", dim, heads * valueDim), ...projection("output", heads * valueDim, outputDim)];
  },

  apply(spec, x, weights) {
    const [batch, steps, dim] = x.shape;
    const { heads, outputDim } = sizes(spec, [steps, dim]);
    const withBias = spec.useBias !== false;
    const take = (i: number): [Tensor, Tensor | null] => (withBias ? [weights[2 * i], weights[2 * i + 1]] : [weights[i], null]);
    const rows = reshape(x, [batch * steps, dim]);
    const project = (i: number) => {
      const [kernel, bias] = take(i);
      const out = dense(rows, kernel, bias);
      return reshape(out, [batch, steps, out.shape[1]]);
    };
    const attended = attention(project(0), project(1), project(2), heads, spec.causal === true);
    const [kernel, bias] = take(3);
    return reshape(dense(reshape(attended, [batch * steps, attended.shape[2]]), kernel, bias), [batch, steps, outputDim]);
  },
};

/** A learned vector per position, added to the input: [steps, dim] -> [steps, dim]. */
export const positionEmbeddingLayer: LayerKind<PositionSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, []);
    checkSequence(inputShape, index, "positionEmbedding");
    return [...inputShape];
  },
  weights: (_spec, inputShape) => [{ name: "embeddings", shape: [...inputShape], trainable: true, initializer: "glorotUniform", fanIn: inputShape[0], fanOut: inputShape[1] }],
  apply: (_spec, x, [table]) => addPositions(x, table),
};
