import type { Padding } from "../types.js";

/**
 * Where a sliding window (a convolution's kernel, a pooling window) goes over
 * an NHWC image: output size and the padding before the first row / column.
 * "valid": no padding, out = floor((in - k) / s) + 1.
 * "same": out = ceil(in / s), padded with max((out - 1) s + k - in, 0), the
 * odd one at the bottom / right (TensorFlow's rule, so exported models agree).
 */
export interface Window2d {
  inHeight: number;
  inWidth: number;
  channels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  outHeight: number;
  outWidth: number;
  padTop: number;
  padLeft: number;
}

export function outputLength(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

function padBefore(input: number, output: number, kernel: number, stride: number, padding: Padding): number {
  return padding === "same" ? Math.floor(Math.max((output - 1) * stride + kernel - input, 0) / 2) : 0;
}

/** `inputShape` is [height, width, channels]. */
export function window2d(inputShape: readonly number[], kernel: readonly [number, number], strides: readonly [number, number], padding: Padding): Window2d {
  const [inHeight, inWidth, channels] = inputShape;
  const outHeight = outputLength(inHeight, kernel[0], strides[0], padding);
  const outWidth = outputLength(inWidth, kernel[1], strides[1], padding);
  return {
    inHeight,
    inWidth,
    channels,
    kernelHeight: kernel[0],
    kernelWidth: kernel[1],
    strideHeight: strides[0],
    strideWidth: strides[1],
    outHeight,
    outWidth,
    padTop: padBefore(inHeight, outHeight, kernel[0], strides[0], padding),
    padLeft: padBefore(inWidth, outWidth, kernel[1], strides[1], padding),
  };
}
