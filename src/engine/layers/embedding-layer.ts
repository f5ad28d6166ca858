import { BOUNDS } from "../contract.js";
import { embeddingLookup } from "../ops/embedding.js";
import type { LayerSpec } from "../types.js";
import { checkBound, checkKnownFields, layerError } from "./checks.js";
import type { LayerKind } from "./layer.js";

type EmbeddingSpec = Extract<LayerSpec, { type: "embedding" }>;

/**
 * A learned vector per integer id: [steps] ids -> [steps, outputDim]. It reads
 * the model's input (model-plan.ts checks the wiring; checkInputIds the values),
 * so an embedding is the first layer or takes inputs: ["input"].
 */
export const embeddingLayer: LayerKind<EmbeddingSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["inputDim", "outputDim"]);
    checkBound(spec.inputDim, BOUNDS.vocabulary, index, "embedding", "inputDim");
    checkBound(spec.outputDim, BOUNDS.units, index, "embedding", "outputDim");
    if (inputShape.length !== 1) {
      throw layerError(index, "embedding", null, `takes one id per step, an input of shape [steps]; got [${inputShape.join(", ")}]`);
    }
    return [inputShape[0], spec.outputDim];
  },

  weights(spec) {
    // Keras' default: uniform in [-0.05, 0.05].
    return [{ name: "embeddings", shape: [spec.inputDim, spec.outputDim], trainable: true, initializer: "embeddingUniform", fanIn: spec.inputDim, fanOut: spec.outputDim }];
  },

  apply: (_spec, ids, [table]) => embeddingLookup(ids, table),
};
