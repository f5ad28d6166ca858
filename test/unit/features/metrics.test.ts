import { describe, expect, it } from "vitest";
import { classificationMetrics, regressionMetrics, rocAuc } from "../../../src/features/index.js";

/** One probability row per sample: 0.6 on the predicted class, 0.2 on each other. */
function probabilitiesFor(predicted: number[], k: number): Float32Array {
  return Float32Array.from(predicted.flatMap((p) => Array.from({ length: k }, (_, c) => (c === p ? 0.6 : 0.2))));
}

describe("classification metrics", () => {
  // truth:     0 0 1 1 2 2 2
  // predicted: 0 1 1 1 2 0 2
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const predicted = [0, 1, 1, 1, 2, 0, 2];
  const metrics = classificationMetrics(labels, probabilitiesFor(predicted, 3), ["a", "b", "c"]);

  it("counts the confusion matrix as computed by hand", () => {
    expect(metrics.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
    expect(metrics.accuracy).toBeCloseTo(5 / 7, 12);
  });

  it("gives per-class precision, recall and F1, and their macro mean", () => {
    // a: precision 1/2 (1 of the 2 predicted a), recall 1/2; b: 2/3 and 1; c: 1 and 2/3.
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    expect(metrics.perClass.map((m) => [m.name, m.support])).toEqual([["a", 2], ["b", 2], ["c", 3]]);
    const expected = [[1 / 2, 1 / 2], [2 / 3, 1], [1, 2 / 3]];
    metrics.perClass.forEach((m, c) => {
      expect(m.precision).toBeCloseTo(expected[c][0], 12);
      expect(m.recall).toBeCloseTo(expected[c][1], 12);
      expect(m.f1).toBeCloseTo(f1(expected[c][0], expected[c][1]), 12);
    });
    expect(metrics.macroF1).toBeCloseTo((0.5 + 0.8 + 0.8) / 3, 6);
  });

  it("computes log loss from the true class's probability", () => {
    expect(metrics.logLoss).toBeCloseTo(-(5 * Math.log(0.6) + 2 * Math.log(0.2)) / 7, 6);
    expect(metrics.rocAuc).toBeNull();
  });

  it("reads a single sigmoid column as the probability of class 1, with ROC AUC", () => {
    const binary = classificationMetrics([0, 0, 1, 1], Float32Array.from([0.1, 0.4, 0.35, 0.8]), ["no", "yes"]);
    expect(binary.confusion).toEqual([
      [2, 0],
      [1, 1],
    ]);
    // Of the 4 (positive, negative) pairs, 3 rank the positive higher.
    expect(binary.rocAuc).toBeCloseTo(0.75, 6);
    expect(binary.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 6);
  });

  it("counts tied scores as half a correctly ranked pair", () => {
    // positives 0.5, 0.9; negatives 0.5, 0.2: pairs 0.5 (tie), 1, 1, 1.
    expect(rocAuc([0, 1, 0, 1], Float64Array.from([0.5, 0.5, 0.2, 0.9]))).toBe(3.5 / 4);
    expect(rocAuc([1, 1], Float64Array.from([0.5, 0.2]))).toBeNull();
  });

  it("refuses labels that are not class indices and probabilities of the wrong size", () => {
    expect(() => classificationMetrics([0, 3], probabilitiesFor([0, 1], 3), ["a", "b", "c"])).toThrow(/label 3 at sample 1/);
    expect(() => classificationMetrics([0, 1], new Float32Array(5), ["a", "b", "c"])).toThrow(/5 probabilities for 2 samples/);
  });
});

describe("regression metrics", () => {
  it("gives MAE, RMSE and R² as computed by hand", () => {
    const targets = [3, -0.5, 2, 7];
    const predictions = [2.5, 0, 2, 8];
    const metrics = regressionMetrics(targets, predictions);
    // errors -0.5, 0.5, 0, 1; mean target 2.875.
    const ssRes = 0.25 + 0.25 + 0 + 1;
    const ssTot = (3 - 2.875) ** 2 + (-0.5 - 2.875) ** 2 + (2 - 2.875) ** 2 + (7 - 2.875) ** 2;
    expect(metrics.mae).toBeCloseTo(2 / 4, 12);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(ssRes / 4), 12);
    expect(metrics.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
    expect(metrics.r2).toBeCloseTo(0.9486081370449679, 12); // scikit-learn's r2_score on the same values
  });

  it("gives R² 1 for exact predictions of a constant target, 0 otherwise", () => {
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2], [2, 3]).r2).toBe(0);
  });
});
