import { makeNode, type Tensor } from "../tensor.js";
import { checkSameSize } from "./check-same-size.js";

/** mean(|prediction - target|) over every element; the gradient at a tie is 0. */
export function meanAbsoluteError(prediction: Tensor, target: Tensor): Tensor {
  checkSameSize("meanAbsoluteError", prediction, target);
  const n = prediction.size;
  return makeNode(
    "meanAbsoluteError",
    [],
    [prediction, target],
    (out) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.abs(prediction.data[i] - target.data[i]);
      out.data[0] = sum / n;
    },
    (out) => {
      const scale = out.grad![0] / n;
      const dp = prediction.grad;
      if (dp) for (let i = 0; i < n; i++) dp[i] += scale * Math.sign(prediction.data[i] - target.data[i]);
    },
  );
}
