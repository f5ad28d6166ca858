import { TRAINING_STREAM } from "../model.js";
import { Prng } from "../random.js";

export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Holds out round(numSamples * fraction) samples for validation, drawn at
 * random with the seeded PRNG (not simply the last rows, which are often
 * sorted by class). Stratified: each class gives the same fraction.
 * Both lists come back in ascending order.
 */
export function splitSamples(numSamples: number, fraction: number, rng: Prng, labels: Int32Array | null, stratify: boolean): Split {
  if (fraction <= 0) return { train: range(numSamples), validation: new Int32Array(0) };
  const groups = stratify && labels !== null ? groupByLabel(labels) : [range(numSamples)];
  const validation: number[] = [];
  const train: number[] = [];
  for (const group of groups) {
    rng.shuffle(group);
    const count = Math.round(group.length * fraction);
    group.forEach((sample, i) => (i < count ? validation : train).push(sample));
  }
  const sorted = (list: number[]) => Int32Array.from(list).sort();
  return { train: sorted(train), validation: sorted(validation) };
}

/**
 * The training and validation samples fit() uses for a config without
 * validationData: the split it draws first from its training stream, seeded
 * by the config. `classLabels`: the class of each sample (classification
 * losses), for stratify.
 */
export function trainingSplit(numSamples: number, config: { seed?: number; validationSplit?: number; stratify?: boolean }, classLabels: Int32Array | null): Split {
  return splitSamples(numSamples, config.validationSplit ?? 0, new Prng(config.seed ?? 0, TRAINING_STREAM), classLabels, config.stratify ?? false);
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function groupByLabel(labels: Int32Array): Int32Array[] {
  const groups = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const group = groups.get(label) ?? [];
    group.push(i);
    groups.set(label, group);
  });
  return [...groups.keys()].sort((a, b) => a - b).map((label) => Int32Array.from(groups.get(label)!));
}
