import type { Padding } from "../types.js";

/**
 * Where a sliding window (a 1-D convolution's kernel, dilated, or a pooling
 * window) goes over a sequence [steps, channels]: output length and padding
 * before the first step. A kernel of size k with dilation d spans
 * (k - 1) d + 1 steps. "valid": no padding; "same": out = ceil(steps / stride),
 * the odd padded step at the end (TensorFlow's rule).
 */
export interface Window1d {
  steps: number;
  kernel: number;
  stride: number;
  dilation: number;
  outSteps: number;
  padBefore: number;
}

export function window1d(steps: number, kernel: number, stride: number, dilation: number, padding: Padding): Window1d {
  const span = (kernel - 1) * dilation + 1;
  const outSteps = padding === "same" ? Math.ceil(steps / stride) : Math.floor((steps - span) / stride) + 1;
  const padBefore = padding === "same" ? Math.floor(Math.max((outSteps - 1) * stride + span - steps, 0) / 2) : 0;
  return { steps, kernel, stride, dilation, outSteps, padBefore };
}
