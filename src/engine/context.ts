import type { Prng } from "./random.js";

/**
 * What ops that behave differently in training read at forward time (dropout,
 * batchNorm). One object is shared by a model's graphs, so flipping `training`
 * switches them all between training and evaluation.
 */
export interface ForwardContext {
  training: boolean;
  /** Draws dropout masks. */
  rng: Prng;
}
