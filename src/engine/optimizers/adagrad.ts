import { Optimizer, type OptimizerOptions } from "./optimizer.js";
import type { Tensor } from "../tensor.js";

// Keras' starting value of the accumulator: avoids huge first steps.
const INITIAL_ACCUMULATOR = 0.1;

/** Adagrad: each weight's step shrinks with its accumulated squared gradients. acc += g^2; w -= lr * g / (sqrt(acc) + eps) */
export class Adagrad extends Optimizer {
  constructor(
    weights: readonly Tensor[],
    options: OptimizerOptions,
    private readonly epsilon = 1e-7,
  ) {
    super(weights, options);
  }

  protected update(index: number, w: Float32Array, g: Float32Array, lr: number): void {
    const acc = this.slot("accumulator", index, INITIAL_ACCUMULATOR);
    for (let i = 0; i < w.length; i++) {
      acc[i] += g[i] * g[i];
      w[i] -= (lr * g[i]) / (Math.sqrt(acc[i]) + this.epsilon);
    }
  }
}
