import { flatSize } from "./layers/layer.js";
import type { LayerSpec } from "./types.js";

/**
 * Floating-point operations of one layer's forward pass for one sample
 * (a multiply-add counts 2), as an estimate for budgets, not a benchmark.
 * Layers with a kernel apply it once per output position: dense once,
 * conv2d at every pixel of its output. Pooling reads its window for each
 * output value; the other layers touch each value a few times.
 * Training costs about three times the forward pass (forward, and the
 * gradients of inputs and of weights).
 */
export function forwardFlops(layer: LayerSpec, inputShape: number[], outputShape: number[], kernelSize: number): number {
  const outputs = flatSize(outputShape);
  switch (layer.type) {
    case "dense":
    case "conv1d":
    case "conv2d": {
      const positions = outputs / outputShape[outputShape.length - 1];
      return 2 * kernelSize * positions + outputs; // + bias and activation
    }
    case "maxPool2d":
    case "avgPool2d": {
      const [ph, pw] = typeof layer.poolSize === "number" ? [layer.poolSize, layer.poolSize] : layer.poolSize;
      return outputs * ph * pw;
    }
    case "maxPool1d":
    case "avgPool1d":
      return outputs * layer.poolSize;
    case "lstm":
    case "gru": {
      // Per step: the input and recurrent products of every gate, and a few operations per gate value.
      const [steps, features] = inputShape;
      const width = (layer.type === "lstm" ? 4 : 3) * layer.units;
      return steps * (2 * (features + layer.units) * width + 6 * width);
    }
    case "multiHeadAttention": {
      // Projections (the kernels, once per step) and, per head, Q K^T and P V.
      const [steps, dim] = inputShape;
      const heads = layer.numHeads;
      const valueDim = layer.valueDim ?? layer.keyDim;
      const projectionKernels = dim * heads * (2 * layer.keyDim + valueDim) + heads * valueDim * outputShape[1];
      const projections = 2 * projectionKernels * steps;
      return projections + heads * steps * steps * 2 * (layer.keyDim + valueDim) + 4 * heads * steps * steps;
    }
    case "flatten":
    case "concatenate":
    case "selectColumns":
      return 0;
    default:
      return 4 * Math.max(flatSize(inputShape), outputs);
  }
}

/** Training FLOPs per sample from the forward FLOPs: forward + input gradients + weight gradients. */
export const TRAINING_FLOPS_FACTOR = 3;
