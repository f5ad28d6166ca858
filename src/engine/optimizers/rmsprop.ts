import { Optimizer, type OptimizerOptions } from "./optimizer.js";
import type { Tensor } from "../tensor.js";

/**
 * RMSprop: divides the step by a running average of squared gradients.
 *   ms = rho * ms + (1 - rho) * g^2
 *   without momentum: w -= lr * g / (sqrt(ms) + eps)
 *   with momentum:    mom = momentum * mom + lr * g / (sqrt(ms) + eps);  w -= mom
 */
export class RmsProp extends Optimizer {
  constructor(
    weights: readonly Tensor[],
    options: OptimizerOptions,
    private readonly rho = 0.9,
    private readonly momentum = 0,
    private readonly epsilon = 1e-7,
  ) {
    super(weights, options);
  }

  protected update(index: number, w: Float32Array, g: Float32Array, lr: number): void {
    const ms = this.slot("meanSquare", index);
    const { rho, momentum, epsilon } = this;
    const mom = momentum > 0 ? this.slot("momentum", index) : null;
    for (let i = 0; i < w.length; i++) {
      ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
      const step = (lr * g[i]) / (Math.sqrt(ms[i]) + epsilon);
      if (mom === null) {
        w[i] -= step;
      } else {
        mom[i] = momentum * mom[i] + step;
        w[i] -= mom[i];
      }
    }
  }
}
