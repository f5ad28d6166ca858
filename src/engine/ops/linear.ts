import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";

/** The identity: f(z) = z. Exists so that "linear" is an activation like the others. */
export const linearKernel: ActivationKernel = {
  name: "linear",
  forward(z, y, rows, cols) {
    y.set(z.subarray(0, rows * cols));
  },
  backward(_z, _y, dy, dz, rows, cols) {
    dz.set(dy.subarray(0, rows * cols));
  },
};

export function linear(x: Tensor): Tensor {
  return activationOp(x, linearKernel);
}
