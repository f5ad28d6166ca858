import type { ForwardContext } from "../context.js";
import { makeNode, type Tensor } from "../tensor.js";

export interface BatchNormState {
  /** Running statistics, used at evaluation and updated by every training forward. */
  movingMean: Float32Array;
  movingVariance: Float32Array;
  momentum: number;
  epsilon: number;
  /** Frozen (transfer learning): always the running statistics, never updated, as in Keras. */
  frozen?: boolean;
}

/**
 * Batch normalisation of each feature (the last axis, gamma.size values) over all the other axes:
 *   y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
 * In training mean and variance are the batch's (and the running statistics
 * move towards them: running = momentum * running + (1 - momentum) * batch);
 * at evaluation they are the running ones.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, context: ForwardContext): Tensor {
  const cols = gamma.size;
  const rows = x.size / cols;
  const fits = x.shape[x.shape.length - 1] === cols || x.size / x.shape[0] === cols; // per channel, or per feature of a flat sample
  if (!fits || beta.size !== cols) {
    throw new Error(`batchNorm: gamma/beta of size ${gamma.size} do not fit input [${x.shape.join(", ")}]`);
  }
  const normalized = new Float32Array(x.size); // x-hat, kept for backward
  const invStd = new Float32Array(cols);
  const sumDy = new Float64Array(cols);
  const sumDyXhat = new Float64Array(cols);
  let usedBatchStatistics = false;

  return makeNode(
    "batchNorm",
    x.shape,
    [x, gamma, beta],
    (out) => {
      usedBatchStatistics = context.training && !state.frozen;
      const xs = x.data;
      for (let j = 0; j < cols; j++) {
        let mean: number;
        let variance: number;
        if (usedBatchStatistics) {
          let sum = 0;
          for (let r = 0; r < rows; r++) sum += xs[r * cols + j];
          mean = sum / rows;
          let squares = 0;
          for (let r = 0; r < rows; r++) {
            const d = xs[r * cols + j] - mean;
            squares += d * d;
          }
          variance = squares / rows;
          state.movingMean[j] = state.momentum * state.movingMean[j] + (1 - state.momentum) * mean;
          state.movingVariance[j] = state.momentum * state.movingVariance[j] + (1 - state.momentum) * variance;
        } else {
          mean = state.movingMean[j];
          variance = state.movingVariance[j];
        }
        const inv = 1 / Math.sqrt(variance + state.epsilon);
        invStd[j] = inv;
        const g = gamma.data[j];
        const b = beta.data[j];
        for (let r = 0; r < rows; r++) {
          const at = r * cols + j;
          const xhat = (xs[at] - mean) * inv;
          normalized[at] = xhat;
          out.data[at] = g * xhat + b;
        }
      }
    },
    (out) => {
      const dy = out.grad!;
      sumDy.fill(0);
      sumDyXhat.fill(0);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          const at = r * cols + j;
          sumDy[j] += dy[at];
          sumDyXhat[j] += dy[at] * normalized[at];
        }
      }
      if (beta.grad) for (let j = 0; j < cols; j++) beta.grad[j] += sumDy[j];
      if (gamma.grad) for (let j = 0; j < cols; j++) gamma.grad[j] += sumDyXhat[j];
      const dx = x.grad;
      if (dx === null) return;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          const at = r * cols + j;
          const scale = gamma.data[j] * invStd[j];
          // With batch statistics, mean and variance depend on x too: the two sums carry that.
          dx[at] += usedBatchStatistics ? (scale / rows) * (rows * dy[at] - sumDy[j] - normalized[at] * sumDyXhat[j]) : scale * dy[at];
        }
      }
    },
  );
}
