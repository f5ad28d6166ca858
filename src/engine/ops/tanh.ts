import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** f(z) = tanh(z); f' = 1 - y^2. */
export const tanhKernel: ActivationKernel = {
  name: "tanh",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = Math.tanh(z[i]);
  },
  backward(_z, y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i] * (1 - y[i] * y[i]);
  },
};

export function tanh(x: Tensor): Tensor {
  return activationOp(x, tanhKernel);
}
