import { makeNode, type Tensor } from "../tensor.js";
import { checkSameSize } from "./check-same-size.js";

/** mean((prediction - target)^2) over every element. */
export function meanSquaredError(prediction: Tensor, target: Tensor): Tensor {
  checkSameSize("meanSquaredError", prediction, target);
  const n = prediction.size;
  return makeNode(
    "meanSquaredError",
    [],
    [prediction, target],
    (out) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = prediction.data[i] - target.data[i];
        sum += d * d;
      }
      out.data[0] = sum / n;
    },
    (out) => {
      const scale = (2 * out.grad![0]) / n;
      const dp = prediction.grad;
      if (dp) for (let i = 0; i < n; i++) dp[i] += scale * (prediction.data[i] - target.data[i]);
    },
  );
}
