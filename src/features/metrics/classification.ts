import { FeatureError } from "../errors.js";
import { rocAuc } from "./roc-auc.js";

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** Samples whose true class this is. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Mean F1 over the classes that occur (as truth or prediction), as scikit-learn's f1_score(average="macro"). */
  macroF1: number;
  /** Mean negative log probability of the true class, probabilities clipped to [1e-15, 1 - 1e-15]. */
  logLoss: number;
  /** Two classes only (probability of class 1 as the score); null otherwise, or when one class is absent. */
  rocAuc: number | null;
  perClass: ClassMetrics[];
  /** confusion[true][predicted]: sample counts. */
  confusion: number[][];
}

const EPSILON = 1e-15;

/**
 * Metrics of predicted probabilities against true class indices. `probabilities`
 * is numSamples x k (softmax), or numSamples x 1 for two classes (sigmoid: the
 * probability of class 1). The predicted class is the most probable one
 * (class 1 when its probability is at least 0.5).
 */
export function classificationMetrics(labels: ArrayLike<number>, probabilities: ArrayLike<number>, classNames: readonly string[]): ClassificationMetrics {
  const k = classNames.length;
  const n = labels.length;
  if (n === 0) throw new FeatureError("NO_DATA", "no samples to evaluate");
  const width = probabilities.length / n;
  if (width !== k && !(width === 1 && k === 2)) throw new FeatureError("BAD_OPTION", `${probabilities.length} probabilities for ${n} samples of ${k} classes`);
  const probability = (i: number, c: number) => (width === 1 ? (c === 1 ? probabilities[i] : 1 - probabilities[i]) : probabilities[i * width + c]);

  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const truth = labels[i];
    if (!Number.isInteger(truth) || truth < 0 || truth >= k) throw new FeatureError("BAD_OPTION", `label ${truth} at sample ${i} is not a class index (0 to ${k - 1})`);
    let predicted = width === 1 && probabilities[i] >= 0.5 ? 1 : 0;
    if (width > 1) for (let c = 1; c < k; c++) if (probability(i, c) > probability(i, predicted)) predicted = c;
    confusion[truth][predicted]++;
    loss -= Math.log(Math.min(Math.max(probability(i, truth), EPSILON), 1 - EPSILON));
  }
  const perClass = perClassMetrics(confusion, classNames);
  const occurring = perClass.filter((m, c) => m.support > 0 || confusion.some((row) => row[c] > 0));
  const correct = confusion.reduce((sum, row, c) => sum + row[c], 0);
  return {
    accuracy: correct / n,
    macroF1: occurring.reduce((sum, m) => sum + m.f1, 0) / occurring.length,
    logLoss: loss / n,
    rocAuc: k === 2 ? rocAuc(labels, Float64Array.from({ length: n }, (_, i) => probability(i, 1))) : null,
    perClass,
    confusion,
  };
}

/** Precision, recall and F1 per class from a confusion matrix; 0 where a ratio has nothing to divide by. */
export function perClassMetrics(confusion: number[][], classNames: readonly string[]): ClassMetrics[] {
  return classNames.map((name, c) => {
    const truePositives = confusion[c][c];
    const predicted = confusion.reduce((sum, row) => sum + row[c], 0);
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { name, precision, recall, f1, support };
  });
}
