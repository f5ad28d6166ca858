// The metrics of a model's outputs against known labels: for a job's test
// rows (metrics.test) and for POST /v1/models/:id/evaluate.

import { classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from "../features/index.js";

/** Above this many classes the confusion matrix is left out (it grows with their square), as in the training metrics. */
const MAX_CONFUSION_CLASSES = 100;

export type Evaluation =
  | ({ task: "classification"; samples: number } & Omit<ClassificationMetrics, "confusion"> & { confusion?: number[][] })
  | ({ task: "regression"; samples: number } & RegressionMetrics);

/**
 * `outputs`: n x width (softmax, or one sigmoid for two classes);
 * `targets`: class indices, or regression targets. `toUnits` turns a model's
 * output (and a stored target) back into the label's units (a table
 * pipeline's target scaling); identity by default.
 */
export function evaluateOutputs(args: { outputs: Float32Array; targets: ArrayLike<number>; classNames: readonly string[]; toUnits?: (value: number) => number }): Evaluation {
  const { outputs, targets, classNames, toUnits = (value: number) => value } = args;
  const samples = targets.length;
  if (classNames.length > 0) {
    const { confusion, ...metrics } = classificationMetrics(targets, outputs, classNames);
    return { task: "classification", samples, ...metrics, ...(classNames.length <= MAX_CONFUSION_CLASSES ? { confusion } : {}) };
  }
  const predictions = Float64Array.from(outputs, toUnits);
  const truth = Float64Array.from(targets, toUnits);
  return { task: "regression", samples, ...regressionMetrics(truth, predictions) };
}
