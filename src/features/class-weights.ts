import { FeatureError, quoteValue } from "./errors.js";

/**
 * A weight per class for a weighted loss. "balanced" gives class c the weight
 * n / (k * count_c), as scikit-learn does, so that every class weighs the same
 * in total; a class with no sample gets 1. A map names classes and their
 * weights; classes it leaves out get 1. The counts are of the training
 * samples only (countClasses), so that validation rows do not move the weights.
 */
export function classWeights(classCounts: readonly number[], classNames: readonly string[], weights: "balanced" | Record<string, number>): number[] {
  const k = classNames.length;
  const out = new Array<number>(k).fill(1);
  if (weights === "balanced") {
    const total = classCounts.reduce((sum, count) => sum + count, 0);
    classCounts.forEach((count, c) => count > 0 && (out[c] = total / (k * count)));
    return out;
  }
  const index = new Map(classNames.map((name, c) => [name, c]));
  for (const [name, weight] of Object.entries(weights)) {
    const c = index.get(name);
    if (c === undefined) throw new FeatureError("BAD_OPTION", `${quoteValue(name)} is not a class (${classNames.join(", ")})`);
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) throw new FeatureError("BAD_OPTION", `the weight of class ${quoteValue(name)} must be a positive finite number`);
    out[c] = weight;
  }
  return out;
}

/** Samples per class index, for classWeights. */
export function countClasses(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) throw new FeatureError("BAD_OPTION", `label ${label} at sample ${i} is not a class index (0 to ${numClasses - 1})`);
    counts[label]++;
  }
  return counts;
}

/** Each sample's weight: the weight of its class. */
export function sampleWeights(labels: ArrayLike<number>, weights: readonly number[]): Float32Array {
  return Float32Array.from(labels, (label) => weights[label]);
}
