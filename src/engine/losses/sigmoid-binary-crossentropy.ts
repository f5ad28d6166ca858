import { sigmoidValue } from "../ops/sigmoid.js";
import { makeNode, type Tensor } from "../tensor.js";
import { checkSameSize } from "./check-same-size.js";

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed
 * from the logits so that it stays finite for large ones:
 *   max(z, 0) - z * t + log(1 + exp(-|z|)),   averaged over every element.
 * Gradient: (sigmoid(z) - t) / n.
 */
export function sigmoidBinaryCrossentropy(logits: Tensor, target: Tensor): Tensor {
  checkSameSize("binaryCrossentropy", logits, target);
  const n = logits.size;
  return makeNode(
    "binaryCrossentropy",
    [],
    [logits, target],
    (out) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const z = logits.data[i];
        sum += Math.max(z, 0) - z * target.data[i] + Math.log1p(Math.exp(-Math.abs(z)));
      }
      out.data[0] = sum / n;
    },
    (out) => {
      const scale = out.grad![0] / n;
      const dz = logits.grad;
      if (dz) for (let i = 0; i < n; i++) dz[i] += scale * (sigmoidValue(logits.data[i]) - target.data[i]);
    },
  );
}
