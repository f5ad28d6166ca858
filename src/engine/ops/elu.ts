import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** f(z) = z for z > 0, exp(z) - 1 otherwise (alpha = 1). f'(z) = f(z) + 1 for z <= 0. */
export const eluKernel: ActivationKernel = {
  name: "elu",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i] > 0 ? z[i] : Math.expm1(z[i]);
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : dy[i] * Math.exp(z[i]);
  },
};

export function elu(x: Tensor): Tensor {
  return activationOp(x, eluKernel);
}
