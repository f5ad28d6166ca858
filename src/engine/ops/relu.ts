import { reluBackward } from "../kernels/elementwise.js";
import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** f(z) = max(0, z). At z = 0 the gradient is taken as 0 (as TensorFlow does). */
export const reluKernel: ActivationKernel = {
  name: "relu",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i] > 0 ? z[i] : 0;
  },
  backward(z, _y, dy, dz, rows, cols) {
    reluBackward(z, dy, dz, rows * cols);
  },
};

export function relu(x: Tensor): Tensor {
  return activationOp(x, reluKernel);
}
