import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

// The exact GELU, z * Phi(z) with Phi the standard normal CDF, as Keras'
// default (approximate=False), PyTorch's default and tfjs-layers' "gelu":
// an exported model then computes the same function. JavaScript has no erf;
// erfc below (Numerical Recipes' Chebyshev fit) has a fractional error under 1.2e-7.
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
function phi(v: number): number {
  return 0.5 * erfc(-v * INV_SQRT_2);
}

/** f(z) = z * Phi(z); f'(z) = Phi(z) + z * exp(-z^2 / 2) / sqrt(2 pi). */
export const geluKernel: ActivationKernel = {
  name: "gelu",
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i] * phi(z[i]);
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const v = z[i];
      dz[i] = dy[i] * (phi(v) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
    }
  },
};

export function gelu(x: Tensor): Tensor {
  return activationOp(x, geluKernel);
}
