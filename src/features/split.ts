// Seeded, deterministic train/validation/test split of a table's rows,
// stratified by class when strata are given (each class splits in the same proportions).

import { FeatureError } from "./errors.js";

export interface RowSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  /** Fraction of rows for validation. @defaultValue 0.1 */
  validation?: number;
  /** Fraction of rows for test. @defaultValue 0 */
  test?: number;
  seed: number;
  /** Per row, its stratum (a class index; any number, NaN or -1 for a missing label is a stratum of its own). */
  strata?: ArrayLike<number>;
  /** Time order: training takes the first rows, validation the next ones, test the last (no shuffle, no strata). */
  ordered?: boolean;
}

/** Rows 0..numRows-1 split at random with the seed; each part in ascending order. Same inputs, same split. */
export function splitRows(numRows: number, options: SplitOptions): RowSplit {
  const validation = options.validation ?? 0.1;
  const test = options.test ?? 0;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) throw new FeatureError("BAD_OPTION", "validation and test fractions must be from 0, and below 1 together");
  if (options.strata && options.strata.length !== numRows) throw new FeatureError("BAD_OPTION", `${options.strata.length} strata for ${numRows} rows`);
  if (options.ordered) return orderedSplit(numRows, validation, test);
  const random = mulberry32(options.seed);
  const parts: [number[], number[], number[]] = [[], [], []];
  for (const group of groups(numRows, options.strata)) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
    }
    const testCount = Math.round(group.length * test);
    const validationCount = Math.round(group.length * validation);
    group.forEach((row, i) => parts[i < testCount ? 2 : i < testCount + validationCount ? 1 : 0].push(row));
  }
  const [train, val, tst] = parts.map((part) => Int32Array.from(part).sort());
  return { train, validation: val, test: tst };
}

/** Rows in their order: train, then validation, then test, with the same counts a random split gives. */
function orderedSplit(numRows: number, validation: number, test: number): RowSplit {
  const testCount = Math.round(numRows * test);
  const validationCount = Math.round(numRows * validation);
  const trainCount = numRows - testCount - validationCount;
  const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return { train: range(0, trainCount), validation: range(trainCount, trainCount + validationCount), test: range(trainCount + validationCount, numRows) };
}

function groups(numRows: number, strata: ArrayLike<number> | undefined): number[][] {
  if (!strata) return [Array.from({ length: numRows }, (_, i) => i)];
  const byStratum = new Map<number, number[]>();
  for (let row = 0; row < numRows; row++) {
    const key = Number.isNaN(strata[row]) ? -1 : strata[row];
    let group = byStratum.get(key);
    if (!group) byStratum.set(key, (group = []));
    group.push(row);
  }
  return [...byStratum.keys()].sort((a, b) => a - b).map((key) => byStratum.get(key)!);
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
