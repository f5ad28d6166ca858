import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** Slope for negative inputs (TensorFlow.js' default). */
export const LEAKY_RELU_ALPHA = 0.2;

/** f(z) = z for z > 0, alpha * z otherwise. */
export const leakyReluKernel: ActivationKernel = {
  name: "leakyRelu",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i] > 0 ? z[i] : LEAKY_RELU_ALPHA * z[i];
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : LEAKY_RELU_ALPHA * dy[i];
  },
};

export function leakyRelu(x: Tensor): Tensor {
  return activationOp(x, leakyReluKernel);
}
