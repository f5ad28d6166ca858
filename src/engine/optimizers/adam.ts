import { adamUpdate } from "../kernels/optimizer-updates.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";
import type { Tensor } from "../tensor.js";

/**
 * Adam (and AdamW when `decoupledWeightDecay`), as Keras and TensorFlow.js write it:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
 * AdamW also shrinks the weights directly, w -= lr * weightDecay * w, instead of adding an L2 term to g.
 */
export class Adam extends Optimizer {
  constructor(
    weights: readonly Tensor[],
    options: OptimizerOptions,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
    private readonly decoupledWeightDecay = false,
  ) {
    super(weights, options);
  }

  protected override usesL2WeightDecay(): boolean {
    return !this.decoupledWeightDecay;
  }

  protected update(index: number, w: Float32Array, g: Float32Array, lr: number): void {
    const m = this.slot("m", index);
    const v = this.slot("v", index);
    const { beta1, beta2, epsilon } = this;
    const t = this.iterations;
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const decay = this.decoupledWeightDecay ? lr * this.options.weightDecay : 0;
    // The WebAssembly kernel when w, g, m and v live in the kernels' heap; the same loop in TypeScript otherwise.
    adamUpdate(w, g, m, v, beta1, beta2, epsilon, stepSize, decay);
  }
}
