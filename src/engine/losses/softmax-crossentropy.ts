import { makeNode, type Tensor } from "../tensor.js";
import { checkSameSize } from "./check-same-size.js";

/**
 * Categorical cross-entropy of softmax(logits) against target distributions
 * (one-hot rows, or any rows of probabilities), fused with the softmax:
 *   loss_row = -sum_j t_j * (z_j - logsumexp(z)),  averaged over rows.
 * logsumexp is shifted by the row's maximum, so large logits stay finite.
 * Gradient: (softmax(z) * sum(t) - t) / rows.
 */
export function softmaxCrossentropy(logits: Tensor, target: Tensor): Tensor {
  checkSameSize("categoricalCrossentropy", logits, target);
  const rows = logits.shape[0];
  const cols = logits.size / rows;
  const logSumExp = new Float64Array(rows);

  return makeNode(
    "categoricalCrossentropy",
    [],
    [logits, target],
    (out) => {
      const z = logits.data;
      const t = target.data;
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const start = r * cols;
        const lse = rowLogSumExp(z, start, cols);
        logSumExp[r] = lse;
        for (let j = 0; j < cols; j++) {
          const tj = t[start + j];
          if (tj !== 0) total -= tj * (z[start + j] - lse);
        }
      }
      out.data[0] = total / rows;
    },
    (out) => {
      const dz = logits.grad;
      if (dz === null) return;
      const scale = out.grad![0] / rows;
      const z = logits.data;
      const t = target.data;
      for (let r = 0; r < rows; r++) {
        const start = r * cols;
        let targetSum = 0;
        for (let j = 0; j < cols; j++) targetSum += t[start + j];
        for (let j = 0; j < cols; j++) {
          const p = Math.exp(z[start + j] - logSumExp[r]);
          dz[start + j] += scale * (p * targetSum - t[start + j]);
        }
      }
    },
  );
}

/** log(sum(exp(z))) of one row, computed as max + log(sum(exp(z - max))). */
export function rowLogSumExp(z: Float32Array, start: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (z[start + j] > max) max = z[start + j];
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(z[start + j] - max);
  return max + Math.log(sum);
}
