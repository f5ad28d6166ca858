import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activationKernel.js";

// GELU in its tanh approximation (GPT-2, PyTorch's approximate="tanh"): JavaScript has no erf.
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/** f(z) = z/2 * (1 + tanh(sqrt(2/pi) * (z + 0.044715 z^3))) */
export const geluKernel: ActivationKernel = {
  name: "gelu",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const v = z[i];
      y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));
    }
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const v = z[i];
      const t = Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
      const slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * CUBIC * v * v);
      dz[i] = dy[i] * slope;
    }
  },
};

export function gelu(x: Tensor): Tensor {
  return activationOp(x, geluKernel);
}
