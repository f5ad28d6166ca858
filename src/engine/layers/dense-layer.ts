import { activationKernels } from "../ops/activations.js";
import { dense } from "../ops/dense.js";
import { linearKernel } from "../ops/linear.js";
import type { LayerSpec } from "../types.js";
import { BOUNDS } from "../contract.js";
import { ACTIVATION_NAMES, INITIALIZER_NAMES, checkBound, checkKnownFields, checkOneOf, layerError } from "./checks.js";
import { flatSize, type LayerKind } from "./layer.js";

type DenseSpec = Extract<LayerSpec, { type: "dense" }>;

/**
 * Fully connected: y = activation(x . kernel + bias). A rank-2 input is
 * flattened; an image ([height, width, channels]) is refused: Keras would
 * apply the layer to the channels of each pixel, which is rarely what was
 * meant, so the spec has to say flatten (or globalAveragePooling2d).
 */
export const denseLayer: LayerKind<DenseSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["units", "activation", "useBias", "kernelInitializer", "biasInitializer"]);
    if (inputShape.length === 3) {
      throw layerError(index, "dense", null, `input has shape [${inputShape.join(", ")}] (an image); add a {"type": "flatten"} (or globalAveragePooling2d) layer before this dense layer`);
    }
    checkBound(spec.units, BOUNDS.units, index, "dense", "units");
    if (spec.activation !== undefined) checkOneOf(spec.activation, ACTIVATION_NAMES, index, "dense", "activation");
    if (spec.useBias !== undefined && typeof spec.useBias !== "boolean") throw layerError(index, "dense", "useBias", "useBias must be a boolean");
    if (spec.kernelInitializer !== undefined) checkOneOf(spec.kernelInitializer, INITIALIZER_NAMES, index, "dense", "kernelInitializer");
    if (spec.biasInitializer !== undefined) checkOneOf(spec.biasInitializer, INITIALIZER_NAMES, index, "dense", "biasInitializer");
    return [spec.units];
  },

  weights(spec, inputShape) {
    const inputs = flatSize(inputShape);
    const kernel = { name: "kernel", shape: [inputs, spec.units], trainable: true, initializer: spec.kernelInitializer ?? "glorotUniform", fanIn: inputs, fanOut: spec.units };
    if (spec.useBias === false) return [kernel];
    return [kernel, { name: "bias", shape: [spec.units], trainable: true, initializer: spec.biasInitializer ?? "zeros", fanIn: inputs, fanOut: spec.units }];
  },

  apply(spec, x, weights, _context, withoutFinalActivation) {
    const kernel = withoutFinalActivation ? linearKernel : activationKernels[spec.activation ?? "linear"];
    return dense(x, weights[0], weights[1] ?? null, kernel);
  },
};
