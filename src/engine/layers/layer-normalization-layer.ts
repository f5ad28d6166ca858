import { BOUNDS } from "../contract.js";
import { layerNorm } from "../ops/layer-norm.js";
import type { LayerSpec } from "../types.js";
import { checkBound, checkKnownFields } from "./checks.js";
import type { LayerKind } from "./layer.js";

type LayerNormalizationSpec = Extract<LayerSpec, { type: "layerNormalization" }>;

// Keras' and TensorFlow.js' default.
const DEFAULT_EPSILON = 1e-3;

/**
 * Normalises each sample's values along the last axis (each pixel's channels
 * on an image, each step's features on a sequence); gamma and beta are
 * learned per value of that axis. No running statistics: training and
 * evaluation compute the same thing, whatever the batch.
 */
export const layerNormalizationLayer: LayerKind<LayerNormalizationSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["epsilon"]);
    if (spec.epsilon !== undefined) checkBound(spec.epsilon, BOUNDS.layerNormEpsilon, index, "layerNormalization", "epsilon");
    return [...inputShape];
  },

  weights(_spec, inputShape) {
    const features = inputShape[inputShape.length - 1];
    const common = { shape: [features], fanIn: features, fanOut: features };
    return [
      { name: "gamma", trainable: true, initializer: "ones", ...common },
      { name: "beta", trainable: true, initializer: "zeros", ...common },
    ];
  },

  apply(spec, x, [gamma, beta]) {
    return layerNorm(x, gamma, beta, spec.epsilon ?? DEFAULT_EPSILON);
  },
};
