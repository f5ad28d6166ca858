import { meanAbsoluteError } from "../losses/mean-absolute-error.js";
import { meanSquaredError } from "../losses/mean-squared-error.js";
import { sigmoidBinaryCrossentropy } from "../losses/sigmoid-binary-crossentropy.js";
import { softmaxCrossentropy } from "../losses/softmax-crossentropy.js";
import { sparseSoftmaxCrossentropy } from "../losses/sparse-softmax-crossentropy.js";
import type { Tensor } from "../tensor.js";
import type { LossName } from "../types.js";

/** The cross-entropies take logits: the model's final softmax or sigmoid is fused into them. */
export function lossFusesFinalActivation(loss: LossName): boolean {
  return loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy" || loss === "binaryCrossentropy";
}

/** Builds the loss node; `output` is logits when lossFusesFinalActivation(loss). */
export function buildLoss(loss: LossName, output: Tensor, target: Tensor, sparseTargets: boolean): Tensor {
  switch (loss) {
    case "categoricalCrossentropy":
    case "sparseCategoricalCrossentropy":
      return sparseTargets ? sparseSoftmaxCrossentropy(output, target) : softmaxCrossentropy(output, target);
    case "binaryCrossentropy":
      return sigmoidBinaryCrossentropy(output, target);
    case "meanSquaredError":
      return meanSquaredError(output, target);
    case "meanAbsoluteError":
      return meanAbsoluteError(output, target);
  }
}
