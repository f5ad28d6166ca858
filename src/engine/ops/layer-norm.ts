import { makeNode, type Tensor } from "../tensor.js";

/**
 * Layer normalisation over the last axis (gamma.size values), each position
 * of each sample on its own, the same in training and at evaluation:
 *   y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
 * with the mean and the (biased) variance of that position's values, summed
 * in float64. Backward, per row with xhat = (x - mean) * invStd and
 * dxhat = dy * gamma:
 *   dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const cols = gamma.size;
  if (x.shape[x.shape.length - 1] !== cols || beta.size !== cols) {
    throw new Error(`layerNorm: gamma/beta of size ${gamma.size} do not fit input [${x.shape.join(", ")}]`);
  }
  const rows = x.size / cols;
  const normalized = new Float32Array(x.size); // xhat, kept for backward
  const invStd = new Float64Array(rows);
  return makeNode(
    "layerNorm",
    x.shape,
    [x, gamma, beta],
    (out) => {
      const xs = x.data;
      for (let r = 0; r < rows; r++) {
        const start = r * cols;
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += xs[start + j];
        const mean = sum / cols;
        let squares = 0;
        for (let j = 0; j < cols; j++) squares += (xs[start + j] - mean) ** 2;
        const inv = 1 / Math.sqrt(squares / cols + epsilon);
        invStd[r] = inv;
        for (let j = 0; j < cols; j++) {
          const xhat = (xs[start + j] - mean) * inv;
          normalized[start + j] = xhat;
          out.data[start + j] = gamma.data[j] * xhat + beta.data[j];
        }
      }
    },
    (out) => {
      const g = out.grad!;
      for (let r = 0; r < rows; r++) {
        const start = r * cols;
        if (gamma.grad) for (let j = 0; j < cols; j++) gamma.grad[j] += g[start + j] * normalized[start + j];
        if (beta.grad) for (let j = 0; j < cols; j++) beta.grad[j] += g[start + j];
        if (!x.grad) continue;
        let sumDxhat = 0;
        let sumDxhatXhat = 0;
        for (let j = 0; j < cols; j++) {
          const dxhat = g[start + j] * gamma.data[j];
          sumDxhat += dxhat;
          sumDxhatXhat += dxhat * normalized[start + j];
        }
        const meanDxhat = sumDxhat / cols;
        const meanDxhatXhat = sumDxhatXhat / cols;
        const inv = invStd[r];
        for (let j = 0; j < cols; j++) {
          x.grad[start + j] += inv * (g[start + j] * gamma.data[j] - meanDxhat - normalized[start + j] * meanDxhatXhat);
        }
      }
    },
  );
}
