import { describe, expect, it } from "vitest";
import { TrainingError } from "../../src/engine/index.js";
import { AccuracyCounter } from "../../src/engine/training/accuracy.js";
import { argmax, encodeTargets } from "../../src/engine/training/targets.js";

const f32 = (...values: number[]) => Float32Array.from(values);
const i32 = (...values: number[]) => Int32Array.from(values);

function invalidData(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrainingError);
    expect(error).toMatchObject({ code: "INVALID_DATA", epoch: 0, batch: 0 });
    return (error as Error).message;
  }
  throw new Error("expected a TrainingError");
}

describe("encodeTargets: y as the loss takes it", () => {
  it("cross-entropies keep class indices as indices (sparse), with the labels for accuracy", () => {
    const y = f32(2, 0, 1);
    for (const loss of ["sparseCategoricalCrossentropy", "categoricalCrossentropy"] as const) {
      const t = encodeTargets(y, 3, loss, 3);
      expect(t).toEqual({ values: y, width: 1, sparse: true, labels: i32(2, 0, 1), accuracy: "categorical" });
      expect(t.values).toBe(y); // no copy
    }
  });

  it("the mean errors one-hot encode class indices when the output has several units", () => {
    for (const loss of ["meanSquaredError", "meanAbsoluteError"] as const) {
      expect(encodeTargets(f32(2, 0, 1), 3, loss, 3)).toEqual({ values: f32(0, 0, 1, 1, 0, 0, 0, 1, 0), width: 3, sparse: false, labels: i32(2, 0, 1), accuracy: "categorical" });
    }
  });

  it("categoricalCrossentropy takes one-hot (or soft) rows; the label is the first largest value", () => {
    const y = f32(0, 1, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5);
    expect(encodeTargets(y, 3, "categoricalCrossentropy", 3)).toEqual({ values: y, width: 3, sparse: false, labels: i32(1, 0, 2), accuracy: "categorical" });
  });

  it("binaryCrossentropy: one output gets labels (>= 0.5 is class 1), several outputs are multi-label", () => {
    expect(encodeTargets(f32(0, 1, 0.5, 0.25), 4, "binaryCrossentropy", 1)).toEqual({ values: f32(0, 1, 0.5, 0.25), width: 1, sparse: false, labels: i32(0, 1, 1, 0), accuracy: "binary" });
    expect(encodeTargets(f32(0, 1, 1, 1), 2, "binaryCrossentropy", 2)).toEqual({ values: f32(0, 1, 1, 1), width: 2, sparse: false, labels: null, accuracy: "binary" });
  });

  it("regression targets pass through, without accuracy", () => {
    expect(encodeTargets(f32(0.5, -2), 2, "meanSquaredError", 1)).toEqual({ values: f32(0.5, -2), width: 1, sparse: false, labels: null, accuracy: null });
    expect(encodeTargets(f32(1, 2, 3, 4), 2, "meanAbsoluteError", 2)).toEqual({ values: f32(1, 2, 3, 4), width: 2, sparse: false, labels: null, accuracy: null });
  });

  it("rejects y that does not fit, naming the value", () => {
    expect(invalidData(() => encodeTargets(f32(0, 1, 2, 0, 1, 2, 0), 3, "meanSquaredError", 2))).toBe("y has 7 values, not a multiple of numSamples 3");
    expect(invalidData(() => encodeTargets(f32(0, 1), 3, "meanSquaredError", 1))).toBe("y has 2 values, not a multiple of numSamples 3");
    expect(invalidData(() => encodeTargets(f32(0, 1, Number.NaN), 3, "meanSquaredError", 1))).toBe("y[2] is not a finite number");
    expect(invalidData(() => encodeTargets(f32(0, 1, 0, 1, 1, 0), 2, "sparseCategoricalCrossentropy", 3))).toBe("sparseCategoricalCrossentropy takes one class index per sample, y has 3");
    expect(invalidData(() => encodeTargets(f32(0, 1, 0, 1), 2, "meanSquaredError", 3))).toBe("y has 2 values per sample, the model outputs 3");
    expect(invalidData(() => encodeTargets(f32(0, 1, 0.5, 2), 4, "binaryCrossentropy", 1))).toBe("binaryCrossentropy takes targets in [0, 1], y[3] is 2");
    expect(invalidData(() => encodeTargets(f32(-0.5, 0), 2, "binaryCrossentropy", 1))).toBe("binaryCrossentropy takes targets in [0, 1], y[0] is -0.5");
  });

  it("rejects labels that are not class indices", () => {
    for (const [bad, text] of [[1.5, "1.5"], [-1, "-1"], [3, "3"]] as const) {
      expect(invalidData(() => encodeTargets(f32(0, bad), 2, "sparseCategoricalCrossentropy", 3))).toBe(`y[1] = ${text} is not a class index in [0, 3)`);
    }
    expect(encodeTargets(f32(0, 2), 2, "sparseCategoricalCrossentropy", 3).labels).toEqual(i32(0, 2)); // the last class is fine
  });
});

describe("argmax", () => {
  it("returns the first largest of `count` values from `start`", () => {
    const values = f32(9, 1, 3, 3, 2, 9);
    expect(argmax(values, 1, 4)).toBe(1);
    expect(argmax(values, 2, 3)).toBe(0);
    expect(argmax(values, 4, 2)).toBe(1);
    expect(argmax(values, 0, 1)).toBe(0);
  });
});

describe("AccuracyCounter", () => {
  it("categorical: argmax of each row against its label, over every batch added", () => {
    const counter = new AccuracyCounter("categorical", 3, true);
    counter.add(f32(0.1, 0.7, 0.2, 0.5, 0.2, 0.3), 2, i32(1, 2), f32());
    expect(counter.value).toBe(1 / 2);
    counter.add(f32(0, 0, 1), 1, i32(2), f32());
    expect(counter.value).toBe(2 / 3);
    expect(counter.state).toEqual({ correct: 2, total: 3 });
  });

  it("binary: each output against its target, at 0.5 for probabilities and 0 for logits", () => {
    const targets = f32(1, 0, 1, 0.5, 0);
    const probabilities = new AccuracyCounter("binary", 1, false);
    probabilities.add(f32(0.9, 0.2, 0.5, 0.6, 0.4), 5, i32(), targets); // 0.5 is not above the threshold; a 0.5 target counts as 1
    expect(probabilities.state).toEqual({ correct: 4, total: 5 });
    const logits = new AccuracyCounter("binary", 1, true);
    logits.add(f32(2, -1, 0, 0.1, 0.4), 5, i32(), targets);
    expect(logits.state).toEqual({ correct: 3, total: 5 });
    const multiLabel = new AccuracyCounter("binary", 2, false);
    multiLabel.add(f32(0.9, 0.9, 0.1, 0.1), 2, i32(), f32(1, 0, 0, 0));
    expect(multiLabel.value).toBe(3 / 4);
  });

  it("counts nothing without an accuracy (regression) and reports 0 before any batch", () => {
    const none = new AccuracyCounter(null, 1, false);
    none.add(f32(1), 1, i32(0), f32(1));
    expect(none.state).toEqual({ correct: 0, total: 0 });
    expect(none.value).toBe(0);
  });

  it("restores counts from a checkpoint and resets", () => {
    const counter = new AccuracyCounter("categorical", 2, false);
    counter.state = { correct: 3, total: 4 };
    counter.add(f32(1, 0), 1, i32(1), f32());
    expect(counter.value).toBe(3 / 5);
    counter.reset();
    expect(counter.state).toEqual({ correct: 0, total: 0 });
  });
});
