import type { Tensor } from "../tensor.js";
import type { OptimizerConfig } from "../types.js";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import type { Optimizer, OptimizerOptions } from "./optimizer.js";
import { RmsProp } from "./rmsprop.js";
import { Sgd } from "./sgd.js";

// AdamW's weight decay when the config gives none (PyTorch's default).
const ADAMW_DEFAULT_WEIGHT_DECAY = 0.01;

/** The optimizer a config names, over the model's trainable weights. rmsprop takes its decay rate rho from beta2 (default 0.9). */
export function createOptimizer(config: OptimizerConfig, weights: readonly Tensor[]): Optimizer {
  const options: OptimizerOptions = {
    weightDecay: config.weightDecay ?? (config.type === "adamw" ? ADAMW_DEFAULT_WEIGHT_DECAY : 0),
    clipNorm: config.clipNorm,
    clipValue: config.clipValue,
  };
  switch (config.type) {
    case "sgd":
      return new Sgd(weights, options, config.momentum ?? 0, config.nesterov ?? false);
    case "adam":
    case "adamw":
      return new Adam(weights, options, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-7, config.type === "adamw");
    case "rmsprop":
      return new RmsProp(weights, options, config.beta2 ?? 0.9, config.momentum ?? 0, config.epsilon ?? 1e-7);
    case "adagrad":
      return new Adagrad(weights, options, config.epsilon ?? 1e-7);
  }
}
