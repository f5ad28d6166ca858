import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** f(z) = 1 / (1 + exp(-z)), written so that neither branch overflows. f' = y (1 - y). */
export function sigmoidValue(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export const sigmoidKernel: ActivationKernel = {
  name: "sigmoid",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = sigmoidValue(z[i]);
  },
  backward(_z, y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i] * y[i] * (1 - y[i]);
  },
};

export function sigmoid(x: Tensor): Tensor {
  return activationOp(x, sigmoidKernel);
}
