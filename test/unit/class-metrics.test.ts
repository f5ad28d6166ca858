import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec } from "../../src/engine/index.js";
import { Prng } from "../../src/engine/random.js";
import { classMetricsOf } from "../../src/engine/training/class-metrics.js";
import { splitSamples } from "../../src/engine/training/split.js";
import { irisSplit } from "./helpers/datasets.js";

describe("class metrics and splits", () => {
  it("computes the confusion matrix, precision and recall", () => {
    const truth = Int32Array.from([0, 0, 0, 1, 1, 2]);
    const predicted = Int32Array.from([0, 0, 1, 1, 0, 1]);
    const metrics = classMetricsOf(truth, predicted, 3, "validation");
    expect(metrics.confusionMatrix).toEqual([[2, 1, 0], [1, 1, 0], [0, 1, 0]]);
    expect(metrics.precision).toEqual([2 / 3, 1 / 3, 0]);
    expect(metrics.recall).toEqual([2 / 3, 1 / 2, 0]);
  });

  it("keeps precision and recall but no confusion matrix above 100 classes (its size grows with their square)", () => {
    const classes = 101;
    const truth = Int32Array.from({ length: 303 }, (_, i) => i % classes);
    const predicted = Int32Array.from(truth, (c, i) => (i < classes ? (c + 1) % classes : c));
    const metrics = classMetricsOf(truth, predicted, classes, "validation");
    expect(metrics.confusionMatrix).toBeUndefined();
    expect(metrics.precision).toHaveLength(classes);
    expect(metrics.recall[0]).toBeCloseTo(2 / 3, 12);
    expect(metrics.precision[1]).toBeCloseTo(2 / 3, 12);
    expect(classMetricsOf(truth.subarray(0, 100), predicted.subarray(0, 100), 100, "validation").confusionMatrix).toHaveLength(100);
  });

  it("fit reports them at the end, on the validation split", async () => {
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] };
    const result = await fit(createModel(spec, 1), irisSplit(0, 1).train, { epochs: 20, batchSize: 16, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.02 }, validationSplit: 0.2, stratify: true });
    const metrics = result.classMetrics!;
    expect(metrics.on).toBe("validation");
    const confusionMatrix = metrics.confusionMatrix!;
    expect(confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(30);
    expect(confusionMatrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([10, 10, 10]); // stratified
    const correct = confusionMatrix.reduce((sum, row, i) => sum + row[i], 0);
    expect(correct / 30).toBeCloseTo(result.epochs[19].valAccuracy!, 10);
  });

  it("splits at random with the seed, or stratified by class", () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const random = splitSamples(100, 0.2, new Prng(1), labels, false);
    expect(random.validation).toHaveLength(20);
    expect([...random.validation].some((i) => i < 80)).toBe(true); // not simply the last rows
    expect(splitSamples(100, 0.2, new Prng(1), labels, false)).toEqual(random);
    const stratified = splitSamples(100, 0.2, new Prng(1), labels, true);
    expect([...stratified.validation].filter((i) => labels[i] === 1)).toHaveLength(4);
    expect(new Set([...stratified.train, ...stratified.validation]).size).toBe(100);
  });

  it("a split of 0 keeps every sample for training; both lists come back sorted; stratify needs labels", () => {
    expect(splitSamples(5, 0, new Prng(1), null, true)).toEqual({ train: Int32Array.from([0, 1, 2, 3, 4]), validation: new Int32Array(0) });
    const split = splitSamples(40, 0.25, new Prng(2), null, true); // no labels (regression): a plain random split
    expect(split.validation).toHaveLength(10);
    for (const list of [split.train, split.validation]) expect([...list]).toEqual([...list].sort((a, b) => a - b));
    // Class labels 2 and 10 (numeric order, not "10" < "2"): the stratified draw takes its share of each.
    const labels = Int32Array.from({ length: 30 }, (_, i) => (i < 10 ? 10 : 2));
    const stratified = splitSamples(30, 0.5, new Prng(3), labels, true);
    expect([...stratified.validation].filter((i) => labels[i] === 10)).toHaveLength(5);
    expect([...stratified.validation].filter((i) => labels[i] === 2)).toHaveLength(10);
    expect([...stratified.train]).toEqual([...stratified.train].sort((a, b) => a - b));
  });
});
