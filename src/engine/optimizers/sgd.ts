import { Optimizer, type OptimizerOptions } from "./optimizer.js";
import type { Tensor } from "../tensor.js";

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum, as Keras writes it:
 *   v = momentum * v - lr * g;   w += v                      (plain momentum)
 *   v = momentum * v - lr * g;   w += momentum * v - lr * g  (Nesterov)
 */
export class Sgd extends Optimizer {
  constructor(
    weights: readonly Tensor[],
    options: OptimizerOptions,
    private readonly momentum = 0,
    private readonly nesterov = false,
  ) {
    super(weights, options);
  }

  protected update(index: number, w: Float32Array, g: Float32Array, lr: number): void {
    const momentum = this.momentum;
    if (momentum === 0) {
      for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
      return;
    }
    const v = this.slot("velocity", index);
    for (let i = 0; i < w.length; i++) {
      v[i] = momentum * v[i] - lr * g[i];
      w[i] += this.nesterov ? momentum * v[i] - lr * g[i] : v[i];
    }
  }
}
