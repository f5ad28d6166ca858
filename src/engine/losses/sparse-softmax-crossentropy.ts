import { makeNode, type Tensor } from "../tensor.js";
import { rowLogSumExp } from "./softmax-crossentropy.js";

/**
 * Cross-entropy of softmax(logits) against class indices (one per row, stored
 * as floats), fused with the softmax: loss_row = logsumexp(z) - z_label.
 * Same value as softmaxCrossentropy with one-hot targets, without building them.
 * Gradient: (softmax(z) - onehot(label)) / rows.
 */
export function sparseSoftmaxCrossentropy(logits: Tensor, labels: Tensor): Tensor {
  const rows = logits.shape[0];
  const cols = logits.size / rows;
  if (labels.size !== rows) throw new Error(`sparseCategoricalCrossentropy: ${labels.size} labels for ${rows} rows of logits`);
  const logSumExp = new Float64Array(rows);

  return makeNode(
    "sparseCategoricalCrossentropy",
    [],
    [logits, labels],
    (out) => {
      const z = logits.data;
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const lse = rowLogSumExp(z, r * cols, cols);
        logSumExp[r] = lse;
        total += lse - z[r * cols + labels.data[r]];
      }
      out.data[0] = total / rows;
    },
    (out) => {
      const dz = logits.grad;
      if (dz === null) return;
      const scale = out.grad![0] / rows;
      const z = logits.data;
      for (let r = 0; r < rows; r++) {
        const start = r * cols;
        for (let j = 0; j < cols; j++) dz[start + j] += scale * Math.exp(z[start + j] - logSumExp[r]);
        dz[start + labels.data[r]] -= scale;
      }
    },
  );
}
