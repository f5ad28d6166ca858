import { batchNorm } from "../ops/batch-norm.js";
import type { LayerSpec } from "../types.js";
import { BOUNDS } from "../contract.js";
import { checkBound, checkKnownFields } from "./checks.js";
import { flatSize, type LayerKind } from "./layer.js";

type BatchNormSpec = Extract<LayerSpec, { type: "batchNorm" }>;

// Keras' defaults.
const DEFAULT_MOMENTUM = 0.99;
const DEFAULT_EPSILON = 1e-3;

/**
 * Normalises each feature over the batch; gamma and beta are learned, the
 * running statistics are saved. On an image the features are the channels
 * (statistics over batch, height and width), as Keras' axis -1.
 */
export const batchNormLayer: LayerKind<BatchNormSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["momentum", "epsilon"]);
    if (spec.momentum !== undefined) checkBound(spec.momentum, BOUNDS.batchNormMomentum, index, "batchNorm", "momentum");
    if (spec.epsilon !== undefined) checkBound(spec.epsilon, BOUNDS.batchNormEpsilon, index, "batchNorm", "epsilon");
    return [...inputShape];
  },

  weights(_spec, inputShape) {
    const features = inputShape.length === 3 ? inputShape[2] : flatSize(inputShape);
    const shape = [features];
    const common = { shape, fanIn: features, fanOut: features };
    return [
      { name: "gamma", trainable: true, initializer: "ones", ...common },
      { name: "beta", trainable: true, initializer: "zeros", ...common },
      { name: "movingMean", trainable: false, initializer: "zeros", ...common },
      { name: "movingVariance", trainable: false, initializer: "ones", ...common },
    ];
  },

  apply(spec, x, weights, context, _withoutFinalActivation, frozen) {
    const [gamma, beta, movingMean, movingVariance] = weights;
    const state = { movingMean: movingMean.data, movingVariance: movingVariance.data, momentum: spec.momentum ?? DEFAULT_MOMENTUM, epsilon: spec.epsilon ?? DEFAULT_EPSILON, frozen };
    return batchNorm(x, gamma, beta, state, context);
  },
};
