import type { ClassMetrics } from "../types.js";

/**
 * Above this many classes there is no confusion matrix: it grows with the
 * square of the classes (10,000 classes: 10^8 cells), and nobody reads one
 * that large. Precision and recall are kept for every class.
 */
export const MAX_CONFUSION_MATRIX_CLASSES = 100;

/**
 * Per-class precision and recall, and (up to MAX_CONFUSION_MATRIX_CLASSES)
 * the confusion matrix (rows: true class, columns: predicted class). A class
 * never predicted (or never present) gets precision (or recall) 0 rather
 * than NaN, so the result stays valid JSON.
 */
export function classMetricsOf(truth: Int32Array, predicted: Int32Array, classes: number, on: ClassMetrics["on"]): ClassMetrics {
  const truePositives = new Float64Array(classes);
  const predictedAs = new Float64Array(classes);
  const actually = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    predictedAs[predicted[i]]++;
    actually[truth[i]]++;
    if (truth[i] === predicted[i]) truePositives[truth[i]]++;
  }
  const precision = Array.from(truePositives, (tp, c) => (predictedAs[c] === 0 ? 0 : tp / predictedAs[c]));
  const recall = Array.from(truePositives, (tp, c) => (actually[c] === 0 ? 0 : tp / actually[c]));
  if (classes > MAX_CONFUSION_MATRIX_CLASSES) return { on, precision, recall };
  const confusionMatrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) confusionMatrix[truth[i]][predicted[i]]++;
  return { on, confusionMatrix, precision, recall };
}
