import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** Softmax of one row, shifted by its maximum so large logits cannot overflow exp(). */
export function softmaxRow(z: Float32Array, y: Float32Array, start: number, cols: number): void {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (z[start + j] > max) max = z[start + j];
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const e = Math.exp(z[start + j] - max);
    y[start + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < cols; j++) y[start + j] *= inv;
}

/** Row-wise softmax over the last axis. Backward: dz = y * (dy - sum(dy * y)). */
export const softmaxKernel: ActivationKernel = {
  name: "softmax",
  forward(z, y, rows, cols) {
    for (let r = 0; r < rows; r++) softmaxRow(z, y, r * cols, cols);
  },
  backward(_z, y, dy, dz, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const start = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[start + j] * y[start + j];
      for (let j = 0; j < cols; j++) dz[start + j] = y[start + j] * (dy[start + j] - dot);
    }
  },
};

export function softmax(x: Tensor): Tensor {
  return activationOp(x, softmaxKernel);
}
