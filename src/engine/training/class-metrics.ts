import type { ClassMetrics } from "../types.js";

/**
 * Confusion matrix (rows: true class, columns: predicted class) and per-class
 * precision and recall. A class never predicted (or never present) gets
 * precision (or recall) 0 rather than NaN, so the result stays valid JSON.
 */
export function classMetricsOf(truth: Int32Array, predicted: Int32Array, classes: number, on: ClassMetrics["on"]): ClassMetrics {
  const confusionMatrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) confusionMatrix[truth[i]][predicted[i]]++;
  const precision: number[] = [];
  const recall: number[] = [];
  for (let c = 0; c < classes; c++) {
    const truePositives = confusionMatrix[c][c];
    let predictedAsC = 0;
    let actuallyC = 0;
    for (let k = 0; k < classes; k++) {
      predictedAsC += confusionMatrix[k][c];
      actuallyC += confusionMatrix[c][k];
    }
    precision.push(predictedAsC === 0 ? 0 : truePositives / predictedAsC);
    recall.push(actuallyC === 0 ? 0 : truePositives / actuallyC);
  }
  return { on, confusionMatrix, precision, recall };
}
