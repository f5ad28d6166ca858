import { FeatureError } from "../errors.js";

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  /** 1 - SS_res / SS_tot; for constant targets 1 when every prediction is exact, else 0 (as scikit-learn). */
  r2: number;
}

export function regressionMetrics(targets: ArrayLike<number>, predictions: ArrayLike<number>): RegressionMetrics {
  const n = targets.length;
  if (n === 0) throw new FeatureError("NO_DATA", "no samples to evaluate");
  if (predictions.length !== n) throw new FeatureError("BAD_OPTION", `${predictions.length} predictions for ${n} targets`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i] / n;
  let absolute = 0;
  let squared = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const error = predictions[i] - targets[i];
    absolute += Math.abs(error);
    squared += error * error;
    total += (targets[i] - mean) ** 2;
  }
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { mae: absolute / n, rmse: Math.sqrt(squared / n), r2 };
}
