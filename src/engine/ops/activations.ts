import type { ActivationName } from "../types.js";
import type { Tensor } from "../tensor.js";
import { activationOp, type ActivationKernel } from "./activation-kernel.js";
import { eluKernel } from "./elu.js";
import { geluKernel } from "./gelu.js";
import { leakyReluKernel } from "./leaky-relu.js";
import { linearKernel } from "./linear.js";
import { reluKernel } from "./relu.js";
import { sigmoidKernel } from "./sigmoid.js";
import { softmaxKernel } from "./softmax.js";
import { tanhKernel } from "./tanh.js";

/** Every activation a spec can name, by name. */
export const activationKernels: Record<ActivationName, ActivationKernel> = {
  linear: linearKernel,
  relu: reluKernel,
  leakyRelu: leakyReluKernel,
  elu: eluKernel,
  gelu: geluKernel,
  sigmoid: sigmoidKernel,
  tanh: tanhKernel,
  softmax: softmaxKernel,
};

export function activation(x: Tensor, name: ActivationName): Tensor {
  return activationOp(x, activationKernels[name]);
}
