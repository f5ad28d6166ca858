import { TrainingError } from "../errors.js";
import type { LossName } from "../types.js";

/** How accuracy is counted: argmax against a class per sample, or a 0.5 threshold per output. */
export type AccuracyKind = "categorical" | "binary" | null;

/** The targets, in the form the loss takes them. */
export interface EncodedTargets {
  /** `width` values per sample. */
  values: Float32Array;
  width: number;
  /** True when `values` holds one class index per sample (the sparse cross-entropy). */
  sparse: boolean;
  /** Class index per sample, when the targets are classes (accuracy, confusion matrix); else null. */
  labels: Int32Array | null;
  accuracy: AccuracyKind;
}

/**
 * Turns the y of TrainingData into the loss' targets: class indices stay
 * indices for the cross-entropies, and are one-hot encoded for the other
 * losses when the output has more than one unit.
 */
export function encodeTargets(y: Float32Array, numSamples: number, loss: LossName, outputSize: number, classWeights?: readonly number[]): EncodedTargets {
  const yWidth = numSamples === 0 ? 1 : y.length / numSamples;
  if (!Number.isInteger(yWidth) || yWidth < 1) throw invalid(`y has ${y.length} values, not a multiple of numSamples ${numSamples}`);
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw invalid(`y[${i}] is not a finite number`);

  const isClassification = loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy" || loss === "binaryCrossentropy";
  if (yWidth === 1 && (outputSize > 1 || loss === "sparseCategoricalCrossentropy" || loss === "categoricalCrossentropy")) {
    const labels = classIndices(y, outputSize);
    if (classWeights && (loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy")) {
      // Class weights: each one-hot row scaled by its class's weight. The fused softmax cross-entropy
      // then gives w * -log p(class) and the gradient w * (p - onehot): the weighted loss, per sample.
      const values = oneHot(labels, outputSize);
      labels.forEach((label, i) => (values[i * outputSize + label] = classWeights[label]));
      return { values, width: outputSize, sparse: false, labels, accuracy: "categorical" };
    }
    if (loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy") {
      return { values: y, width: 1, sparse: true, labels, accuracy: "categorical" };
    }
    return { values: oneHot(labels, outputSize), width: outputSize, sparse: false, labels, accuracy: "categorical" };
  }
  if (loss === "sparseCategoricalCrossentropy") throw invalid(`sparseCategoricalCrossentropy takes one class index per sample, y has ${yWidth}`);
  if (yWidth !== outputSize) throw invalid(`y has ${yWidth} values per sample, the model outputs ${outputSize}`);

  if (loss === "categoricalCrossentropy") return { values: y, width: yWidth, sparse: false, labels: argmaxRows(y, numSamples, yWidth), accuracy: "categorical" };
  if (loss === "binaryCrossentropy") {
    for (let i = 0; i < y.length; i++) if (y[i] < 0 || y[i] > 1) throw invalid(`binaryCrossentropy takes targets in [0, 1], y[${i}] is ${y[i]}`);
    const labels = outputSize === 1 ? Int32Array.from(y, (v) => (v >= 0.5 ? 1 : 0)) : null;
    return { values: y, width: yWidth, sparse: false, labels, accuracy: "binary" };
  }
  return { values: y, width: yWidth, sparse: false, labels: null, accuracy: isClassification ? "binary" : null };
}

function classIndices(y: Float32Array, classes: number): Int32Array {
  const labels = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= classes) throw invalid(`y[${i}] = ${y[i]} is not a class index in [0, ${classes})`);
    labels[i] = y[i];
  }
  return labels;
}

function oneHot(labels: Int32Array, classes: number): Float32Array {
  const values = new Float32Array(labels.length * classes);
  labels.forEach((label, i) => (values[i * classes + label] = 1));
  return values;
}

function argmaxRows(values: Float32Array, rows: number, cols: number): Int32Array {
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = argmax(values, r * cols, cols);
  return labels;
}

export function argmax(values: Float32Array, start: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if (values[start + j] > values[start + best]) best = j;
  return best;
}

function invalid(message: string): TrainingError {
  return new TrainingError("INVALID_DATA", message, 0, 0);
}
