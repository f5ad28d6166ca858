// Statistics of a column's values over a set of rows (all rows for the upload
// report, the training rows when a pipeline is fitted). Work and memory are
// bounded: quantiles come from at most QUANTILE_SAMPLE values, distinct
// numbers are counted up to a cap.

import { formatDate } from "./dates.js";

/** Row indices to read, or null for every row. */
export type RowSet = ArrayLike<number> | null;

/** Quantiles beyond this many values are computed on an evenly spaced sample of them. */
export const QUANTILE_SAMPLE = 65_536;

export interface NumberStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divided by count), as StandardScaler. */
  std: number;
  /** 5th, 25th, 50th, 75th, 95th percentiles (linear interpolation; sampled past QUANTILE_SAMPLE values). */
  quantiles: { p05: number; p25: number; p50: number; p75: number; p95: number };
  /** Every value is a whole number. */
  integer: boolean;
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface CategoryStats {
  distinct: number;
  /** The most frequent values, most frequent first (ties by value). */
  top: ValueCount[];
}

export interface DateStats {
  count: number;
  min: string;
  max: string;
}

export interface TextStats {
  count: number;
  /** Distinct values; when `distinctCapped`, only known to be more than the dictionary cap. */
  distinct: number;
  distinctCapped: boolean;
  /** In UTF-8 bytes (characters, for ASCII). */
  meanLength: number;
  maxLength: number;
  meanWords: number;
}

export function rowCount(values: ArrayLike<unknown>, rows: RowSet): number {
  return rows === null ? values.length : rows.length;
}

/** The non-missing (non-NaN) values of `values` at `rows`, in row order. */
export function presentValues(values: Float64Array, rows: RowSet): Float64Array {
  const out = new Float64Array(rowCount(values, rows));
  let count = 0;
  for (let i = 0; i < out.length; i++) {
    const value = values[rows === null ? i : rows[i]];
    if (!Number.isNaN(value)) out[count++] = value;
  }
  return out.subarray(0, count);
}

export function numberStats(values: Float64Array, rows: RowSet): NumberStats | null {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  const n = rowCount(values, rows);
  for (let i = 0; i < n; i++) {
    const value = values[rows === null ? i : rows[i]];
    if (Number.isNaN(value)) continue;
    count++;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
    if (integer && !Number.isInteger(value)) integer = false;
  }
  if (count === 0) return null;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const value = values[rows === null ? i : rows[i]];
    if (!Number.isNaN(value)) squares += (value - mean) ** 2;
  }
  const sample = sampleSorted(values, rows, count);
  const q = (p: number) => quantile(sample, p);
  return { count, min, max, mean, std: Math.sqrt(squares / count), quantiles: { p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) }, integer };
}

/** The exact median of the non-missing values (sorts a copy of them). */
export function median(values: Float64Array, rows: RowSet): number {
  return quantile(presentValues(values, rows).slice().sort(), 0.5);
}

/** The most frequent non-missing value (the smallest among ties). */
export function mostFrequentNumber(values: Float64Array, rows: RowSet): number {
  const sorted = presentValues(values, rows).slice().sort();
  let best = Number.NaN;
  let bestCount = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      best = sorted[i];
      bestCount = j - i;
    }
    i = j;
  }
  return best;
}

/** Linear interpolation between the closest ranks of a sorted array (NaN when empty). */
export function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

function sampleSorted(values: Float64Array, rows: RowSet, count: number): Float64Array {
  const present = presentValues(values, rows);
  if (count <= QUANTILE_SAMPLE) return present.slice().sort();
  const sample = new Float64Array(QUANTILE_SAMPLE);
  const stride = count / QUANTILE_SAMPLE;
  for (let i = 0; i < QUANTILE_SAMPLE; i++) sample[i] = present[Math.floor(i * stride)];
  return sample.sort();
}

/** How many distinct non-missing values, counting no further than cap + 1. */
export function distinctNumbers(values: Float64Array, rows: RowSet, cap: number): number {
  const seen = new Set<number>();
  const n = rowCount(values, rows);
  for (let i = 0; i < n && seen.size <= cap; i++) {
    const value = values[rows === null ? i : rows[i]];
    if (!Number.isNaN(value)) seen.add(value);
  }
  return seen.size;
}

/**
 * Whole numbers, none missing, each row its own, and in sequence (rising or
 * falling row by row, or a permutation of a consecutive range): a row number
 * or an id, which says nothing about the row it names.
 */
export function looksLikeIntegerId(values: Float64Array): boolean {
  const n = values.length;
  if (n < 2) return false;
  let rising = true;
  let falling = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (!Number.isInteger(value)) return false; // NaN included
    if (i > 0) {
      rising &&= value > values[i - 1];
      falling &&= value < values[i - 1];
    }
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (rising || falling) return true;
  if (max - min + 1 !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const slot = values[i] - min;
    if (seen[slot]) return false;
    seen[slot] = 1;
  }
  return true;
}

/** Occurrences of each code (0..size-1) at `rows`; missing (-1) is not counted. */
export function countCodes(codes: Int32Array, size: number, rows: RowSet): Int32Array {
  const counts = new Int32Array(size);
  const n = rowCount(codes, rows);
  for (let i = 0; i < n; i++) {
    const code = codes[rows === null ? i : rows[i]];
    if (code >= 0) counts[code]++;
  }
  return counts;
}

/** Codes seen at least once, most frequent first, ties by their value's text: a deterministic order. */
export function codesByFrequency(counts: Int32Array, valueOf: (code: number) => string): number[] {
  const seen: number[] = [];
  counts.forEach((count, code) => count > 0 && seen.push(code));
  const text = new Map(seen.map((code) => [code, valueOf(code)]));
  return seen.sort((a, b) => counts[b] - counts[a] || compareText(text.get(a)!, text.get(b)!));
}

export function categoryStats(counts: Int32Array, valueOf: (code: number) => string, limit: number): CategoryStats {
  const order = codesByFrequency(counts, valueOf);
  return { distinct: order.length, top: order.slice(0, limit).map((code) => ({ value: valueOf(code), count: counts[code] })) };
}

export function dateStats(values: Float64Array, hasTime: boolean, rows: RowSet): DateStats | null {
  const stats = numberStats(values, rows);
  return stats && { count: stats.count, min: formatDate(stats.min, hasTime), max: formatDate(stats.max, hasTime) };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
