import { activationKernels } from "../ops/activations.js";
import { conv2d } from "../ops/conv2d.js";
import { linearKernel } from "../ops/linear.js";
import { window2d, type Window2d } from "../ops/window2d.js";
import type { LayerSpec } from "../types.js";
import { BOUNDS } from "../contract.js";
import { ACTIVATION_NAMES, INITIALIZER_NAMES, checkBound, checkImageInput, checkKnownFields, checkOneOf, checkPadding, checkSize2d, layerError } from "./checks.js";
import type { LayerKind } from "./layer.js";

type Conv2dSpec = Extract<LayerSpec, { type: "conv2d" }>;

/** The window of a conv2d or pooling layer over its input, from fields already checked. */
export function layerWindow(inputShape: readonly number[], size: Conv2dSpec["kernelSize"], strides: Conv2dSpec["strides"], padding: Conv2dSpec["padding"]): Window2d {
  const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);
  return window2d(inputShape, pair(size), pair(strides ?? size), padding ?? "valid");
}

/** Checks that a window fits its input; returns the output's [height, width]. */
export function checkWindowFits(window: Window2d, index: number, type: string, sizeField: string): [number, number] {
  if (window.outHeight < 1 || window.outWidth < 1) {
    throw layerError(index, type, sizeField, `a ${window.kernelHeight} x ${window.kernelWidth} window does not fit the ${window.inHeight} x ${window.inWidth} input with padding valid; use a smaller ${sizeField} or padding "same"`);
  }
  return [window.outHeight, window.outWidth];
}

/** 2-D convolution over [height, width, channels], fused with bias and activation. Kernel [kh, kw, inChannels, filters]. */
export const conv2dLayer: LayerKind<Conv2dSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["filters", "kernelSize", "strides", "padding", "activation", "useBias", "kernelInitializer", "biasInitializer"]);
    checkImageInput(inputShape, index, "conv2d");
    checkBound(spec.filters, BOUNDS.filters, index, "conv2d", "filters");
    checkSize2d(spec.kernelSize, index, "conv2d", "kernelSize");
    if (spec.strides !== undefined) checkSize2d(spec.strides, index, "conv2d", "strides");
    checkPadding(spec.padding, index, "conv2d");
    if (spec.activation !== undefined) checkOneOf(spec.activation, ACTIVATION_NAMES, index, "conv2d", "activation");
    if (spec.useBias !== undefined && typeof spec.useBias !== "boolean") throw layerError(index, "conv2d", "useBias", "useBias must be a boolean");
    if (spec.kernelInitializer !== undefined) checkOneOf(spec.kernelInitializer, INITIALIZER_NAMES, index, "conv2d", "kernelInitializer");
    if (spec.biasInitializer !== undefined) checkOneOf(spec.biasInitializer, INITIALIZER_NAMES, index, "conv2d", "biasInitializer");
    const [height, width] = checkWindowFits(layerWindow(inputShape, spec.kernelSize, spec.strides ?? 1, spec.padding), index, "conv2d", "kernelSize");
    return [height, width, spec.filters];
  },

  weights(spec, inputShape) {
    const [kh, kw] = typeof spec.kernelSize === "number" ? [spec.kernelSize, spec.kernelSize] : spec.kernelSize;
    const inChannels = inputShape[2];
    // Keras' fans for a convolution: the receptive field times the channels in / out.
    const fanIn = kh * kw * inChannels;
    const fanOut = kh * kw * spec.filters;
    const kernel = { name: "kernel", shape: [kh, kw, inChannels, spec.filters], trainable: true, initializer: spec.kernelInitializer ?? "glorotUniform", fanIn, fanOut };
    if (spec.useBias === false) return [kernel];
    return [kernel, { name: "bias", shape: [spec.filters], trainable: true, initializer: spec.biasInitializer ?? "zeros", fanIn, fanOut }];
  },

  apply(spec, x, weights, _context, withoutFinalActivation) {
    const kernel = withoutFinalActivation ? linearKernel : activationKernels[spec.activation ?? "linear"];
    return conv2d(x, weights[0], weights[1] ?? null, layerWindow(x.shape.slice(1), spec.kernelSize, spec.strides ?? 1, spec.padding), kernel);
  },
};
