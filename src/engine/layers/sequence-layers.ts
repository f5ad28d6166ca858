import { BOUNDS } from "../contract.js";
import { activationKernels } from "../ops/activations.js";
import { avgPool2d } from "../ops/avg-pool2d.js";
import { conv1d } from "../ops/conv1d.js";
import { globalAveragePooling2d } from "../ops/global-average-pooling2d.js";
import { linearKernel } from "../ops/linear.js";
import { maxPool2d } from "../ops/max-pool2d.js";
import { reshape } from "../ops/reshape.js";
import { window1d, type Window1d } from "../ops/window1d.js";
import { window2d, type Window2d } from "../ops/window2d.js";
import type { Tensor } from "../tensor.js";
import type { LayerSpec } from "../types.js";
import { ACTIVATION_NAMES, INITIALIZER_NAMES, checkBound, checkKnownFields, checkOneOf, checkPadding, layerError } from "./checks.js";
import type { LayerKind } from "./layer.js";

// Layers over sequences: inputs of shape [steps, channels] (time steps, features per step).

type Conv1dSpec = Extract<LayerSpec, { type: "conv1d" }>;
type Pool1dSpec = Extract<LayerSpec, { type: "maxPool1d" | "avgPool1d" }>;
type GlobalPool1dSpec = Extract<LayerSpec, { type: "globalAveragePooling1d" | "globalMaxPooling1d" }>;

function checkSequenceInput(inputShape: readonly number[], index: number, type: string): void {
  if (inputShape.length !== 2) {
    const hint = index === 0 ? "; declare the dataset's inputShape as [steps, channels]" : "";
    throw layerError(index, type, null, `needs a sequence input [steps, channels], got [${inputShape.join(", ")}]${hint}`);
  }
}

function checkStepsFit(window: Window1d, index: number, type: string, field: string): number {
  if (window.outSteps < 1) {
    const span = (window.kernel - 1) * window.dilation + 1;
    throw layerError(index, type, field, `a window spanning ${span} steps does not fit the ${window.steps} steps of the input with padding valid; use a smaller ${field} or padding "same"`);
  }
  return window.outSteps;
}

function convWindow(spec: Conv1dSpec, steps: number): Window1d {
  return window1d(steps, spec.kernelSize, spec.strides ?? 1, spec.dilation ?? 1, spec.padding ?? "valid");
}

/** 1-D convolution over [steps, channels], fused with bias and activation. Kernel [kernelSize, channels, filters]. */
export const conv1dLayer: LayerKind<Conv1dSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["filters", "kernelSize", "strides", "padding", "dilation", "activation", "useBias", "kernelInitializer", "biasInitializer"]);
    checkSequenceInput(inputShape, index, "conv1d");
    checkBound(spec.filters, BOUNDS.filters, index, "conv1d", "filters");
    checkBound(spec.kernelSize, BOUNDS.windowSize, index, "conv1d", "kernelSize");
    if (spec.strides !== undefined) checkBound(spec.strides, BOUNDS.windowSize, index, "conv1d", "strides");
    if (spec.dilation !== undefined) checkBound(spec.dilation, BOUNDS.windowSize, index, "conv1d", "dilation");
    if (spec.strides !== undefined && spec.strides > 1 && (spec.dilation ?? 1) > 1) throw layerError(index, "conv1d", "dilation", "strides and dilation cannot both be above 1 (as in Keras)");
    checkPadding(spec.padding, index, "conv1d");
    if (spec.activation !== undefined) checkOneOf(spec.activation, ACTIVATION_NAMES, index, "conv1d", "activation");
    if (spec.useBias !== undefined && typeof spec.useBias !== "boolean") throw layerError(index, "conv1d", "useBias", "useBias must be a boolean");
    if (spec.kernelInitializer !== undefined) checkOneOf(spec.kernelInitializer, INITIALIZER_NAMES, index, "conv1d", "kernelInitializer");
    if (spec.biasInitializer !== undefined) checkOneOf(spec.biasInitializer, INITIALIZER_NAMES, index, "conv1d", "biasInitializer");
    return [checkStepsFit(convWindow(spec, inputShape[0]), index, "conv1d", "kernelSize"), spec.filters];
  },

  weights(spec, inputShape) {
    const channels = inputShape[1];
    // Keras' fans for a convolution: the receptive field times the channels in / out.
    const fanIn = spec.kernelSize * channels;
    const fanOut = spec.kernelSize * spec.filters;
    const kernel = { name: "kernel", shape: [spec.kernelSize, channels, spec.filters], trainable: true, initializer: spec.kernelInitializer ?? "glorotUniform", fanIn, fanOut };
    if (spec.useBias === false) return [kernel];
    return [kernel, { name: "bias", shape: [spec.filters], trainable: true, initializer: spec.biasInitializer ?? "zeros", fanIn, fanOut }];
  },

  apply(spec, x, weights, _context, withoutFinalActivation) {
    const kernel = withoutFinalActivation ? linearKernel : activationKernels[spec.activation ?? "linear"];
    return conv1d(x, weights[0], weights[1] ?? null, convWindow(spec, x.shape[1]), kernel);
  },
};

/** A sequence [batch, steps, channels] as an image one pixel high, for the 2-D pooling ops. */
function asImage(x: Tensor): Tensor {
  const [batch, steps, channels] = x.shape;
  return reshape(x, [batch, 1, steps, channels]);
}

function poolWindow(spec: Pool1dSpec, steps: number, channels: number): Window2d {
  return window2d([1, steps, channels], [1, spec.poolSize], [1, spec.strides ?? spec.poolSize], spec.padding ?? "valid");
}

/** maxPool1d and avgPool1d: the 2-D pooling ops over a one-pixel-high image. strides default to poolSize. */
function pooling1dLayer<S extends Pool1dSpec>(type: S["type"], op: (x: Tensor, window: Window2d) => Tensor): LayerKind<S> {
  return {
    outputShape(spec, inputShape, index) {
      checkKnownFields(spec, index, ["poolSize", "strides", "padding"]);
      checkSequenceInput(inputShape, index, type);
      checkBound(spec.poolSize, BOUNDS.windowSize, index, type, "poolSize");
      if (spec.strides !== undefined) checkBound(spec.strides, BOUNDS.windowSize, index, type, "strides");
      checkPadding(spec.padding, index, type);
      const steps = checkStepsFit(window1d(inputShape[0], spec.poolSize, spec.strides ?? spec.poolSize, 1, spec.padding ?? "valid"), index, type, "poolSize");
      return [steps, inputShape[1]];
    },
    weights: () => [],
    apply(spec, x) {
      const [batch, steps, channels] = x.shape;
      const window = poolWindow(spec, steps, channels);
      return reshape(op(asImage(x), window), [batch, window.outWidth, channels]);
    },
  };
}

export const maxPool1dLayer = pooling1dLayer<Extract<LayerSpec, { type: "maxPool1d" }>>("maxPool1d", maxPool2d);
export const avgPool1dLayer = pooling1dLayer<Extract<LayerSpec, { type: "avgPool1d" }>>("avgPool1d", avgPool2d);

/** [steps, channels] -> [channels]: each channel's mean (or largest value) over the steps. */
function globalPooling1dLayer<S extends GlobalPool1dSpec>(type: S["type"], pool: (x: Tensor) => Tensor): LayerKind<S> {
  return {
    outputShape(spec, inputShape, index) {
      checkKnownFields(spec, index, []);
      checkSequenceInput(inputShape, index, type);
      return [inputShape[1]];
    },
    weights: () => [],
    apply: (_spec, x) => pool(x),
  };
}

export const globalAveragePooling1dLayer = globalPooling1dLayer<Extract<LayerSpec, { type: "globalAveragePooling1d" }>>("globalAveragePooling1d", (x) => globalAveragePooling2d(asImage(x)));
export const globalMaxPooling1dLayer = globalPooling1dLayer<Extract<LayerSpec, { type: "globalMaxPooling1d" }>>("globalMaxPooling1d", (x) => {
  const [batch, steps, channels] = x.shape;
  return reshape(maxPool2d(asImage(x), window2d([1, steps, channels], [1, steps], [1, steps], "valid")), [batch, channels]);
});
