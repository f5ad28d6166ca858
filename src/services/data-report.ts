// A dataset's data report, computed at upload from the numbers a model would
// train on (a matrix's features; a table's rows through its summary
// pipeline): duplicate rows, constant and near-constant columns, columns that
// give the label away, class imbalance, outliers. What a careful engineer
// looks at before training; the dry run repeats what concerns a job.

import { decodeTable, transformTable, type FittedPipeline } from "../features/index.js";

/** The numbers the report is computed from: n rows of m values, row-major, and a label per row. */
export interface ReportInput {
  x: Float32Array;
  numRows: number;
  names: string[];
  labels: Float32Array;
  /** 0 for regression targets. */
  numClasses: number;
  /**
   * Per column: the table column it is one indicator of (one-hot values, "other", text buckets), null for the
   * rest; "" for a missing-value indicator. Indicators are mostly 0 by design: their column, not each of them,
   * is near-constant when one value fills 99% of the rows. Absent: every column stands alone.
   */
  indicatorOf?: (string | null)[];
}

export interface DataReport {
  rows: number;
  /** Rows equal to an earlier row, features and label. */
  duplicateRows: number;
  /** Rows whose features equal an earlier row's but whose label differs. */
  conflictingDuplicates: number;
  constantColumns: string[];
  /** Columns whose most frequent value fills at least 99% of the rows (constant ones aside). */
  nearConstantColumns: { name: string; share: number }[];
  /** Columns that predict the label almost alone: a likely leak of the label into the features. */
  likelyLeaks: { name: string; measure: "accuracy" | "correlation"; value: number }[];
  /** Classification: the smallest and largest class's share of the rows, and their ratio. */
  classBalance: { smallestShare: number; largestShare: number; ratio: number } | null;
  /** Values further than 5 scaled median absolute deviations from the column's median (on the rows sampled). */
  outliers: { name: string; count: number }[];
  /** Rows the per-column measures (leaks, outliers, near-constant) were computed on: all, or a sample of at most SAMPLE_ROWS. */
  sampledRows: number;
  warnings: string[];
}

/** Per-column measures sort each column: on large tables they read an even sample of rows. */
const SAMPLE_ROWS = 20_000;
const LEAK_BINS = 32;

export function dataReport({ x, numRows: n, names, labels, numClasses, indicatorOf }: ReportInput): DataReport {
  const m = names.length;
  if (n === 0) return { rows: 0, duplicateRows: 0, conflictingDuplicates: 0, constantColumns: [], nearConstantColumns: [], likelyLeaks: [], classBalance: null, outliers: [], sampledRows: 0, warnings: [] };
  const { duplicateRows, conflictingDuplicates } = duplicates(x, n, m, labels);
  const sample = sampleRows(n);
  const constantColumns: string[] = [];
  const nearConstantColumns: DataReport["nearConstantColumns"] = [];
  const likelyLeaks: DataReport["likelyLeaks"] = [];
  const outliers: DataReport["outliers"] = [];
  const y = Float64Array.from(sample, (row) => labels[row]);
  const baseline = numClasses > 0 ? majorityShare(y, numClasses) : 0;
  /** Per table column of indicators: the largest share of rows one of its indicators is set in. */
  const commonestValue = new Map<string, number>();
  for (let column = 0; column < m; column++) {
    const values = Float64Array.from(sample, (row) => x[row * m + column]);
    const sorted = values.slice().sort();
    const name = names[column];
    if (sorted[0] === sorted[sorted.length - 1]) {
      constantColumns.push(name);
      continue;
    }
    const share = largestRun(sorted) / sorted.length;
    const source = indicatorOf?.[column] ?? null;
    if (source === null) {
      if (share >= 0.99) nearConstantColumns.push({ name, share: round(share) });
    } else if (source !== "") {
      const set = values.reduce((count, value) => count + (value !== 0 ? 1 : 0), 0) / values.length;
      commonestValue.set(source, Math.max(commonestValue.get(source) ?? 0, set));
    }
    const leak = numClasses > 0 ? binnedAccuracy(values, sorted, y, numClasses) : Math.abs(correlation(values, y));
    if (numClasses > 0 ? leak >= 0.98 && baseline < 0.95 : leak >= 0.99) likelyLeaks.push({ name, measure: numClasses > 0 ? "accuracy" : "correlation", value: round(leak) });
    const count = outlierCount(values, sorted);
    if (count > 0) outliers.push({ name, count });
  }
  for (const [name, share] of commonestValue) if (share >= 0.99) nearConstantColumns.push({ name, share: round(share) });
  const classBalance = numClasses > 0 ? balanceOf(labels, n, numClasses) : null;
  const warnings = [
    ...(duplicateRows > 0 ? [`${duplicateRows} of ${n} rows repeat an earlier row: a split can put copies on both sides, and validation then flatters the model`] : []),
    ...(conflictingDuplicates > 0 ? [`${conflictingDuplicates} rows have the features of an earlier row with another label`] : []),
    ...likelyLeaks.map((leak) => `column ${leak.name} predicts the label almost alone (${leak.measure} ${leak.value}): check it is known when predicting, or leave it out`),
    ...(constantColumns.length > 0 ? [`constant columns carry nothing: ${constantColumns.join(", ")}`] : []),
    ...(classBalance && classBalance.ratio >= 10 ? [`the largest class has ${classBalance.ratio}x the rows of the smallest: consider training.classWeight "balanced"`] : []),
  ];
  return { rows: n, duplicateRows, conflictingDuplicates, constantColumns, nearConstantColumns, likelyLeaks, classBalance, outliers, sampledRows: sample.length, warnings };
}

/** Output encodings that are one of several columns standing for one table column's values. */
const INDICATORS = new Set(["oneHot", "other", "textBucket"]);

/** What a table's report is computed from: its upload, encoded (table-upload.ts). */
export interface TableReportInput {
  bytes: Uint8Array;
  summary: FittedPipeline;
  numRows: number;
  rowsWithoutLabel: number;
  /** The label's missing cells that held a marker, by text. */
  labelMissingAs: Record<string, number>;
}

/**
 * A table's report: its labelled rows through the pipeline fitted on them at
 * upload (the features a job would see by default); first of its warnings,
 * the rows left out for want of a label, and the markers that made them so.
 */
export function tableReport({ bytes, summary, numRows: uploaded, rowsWithoutLabel, labelMissingAs }: TableReportInput): DataReport {
  const table = decodeTable(bytes);
  const { x, numRows, y } = transformTable(summary, table, Int32Array.from({ length: table.numRows }, (_, i) => i));
  const numClasses = summary.label.task === "classification" ? summary.label.classNames.length : 0;
  const indicatorOf = summary.outputs.map((output) => (INDICATORS.has(output.encoding) ? output.column : output.encoding === "missing" ? "" : null));
  const report = dataReport({ x, numRows, names: summary.outputs.map((output) => output.name), labels: y!, numClasses, indicatorOf });
  if (rowsWithoutLabel === 0) return report;
  return { ...report, warnings: [unlabelledRowsWarning(summary.label.column, uploaded, rowsWithoutLabel, labelMissingAs), ...report.warnings] };
}

function unlabelledRowsWarning(label: string, rows: number, unlabelled: number, missingAs: Record<string, number>): string {
  const share = `${Math.round((100 * unlabelled) / rows)}%`;
  const markers = Object.entries(missingAs).sort((a, b) => b[1] - a[1]);
  const why = markers.length === 0 ? "" : `: ${markers.map(([text, count]) => `${JSON.stringify(text)} (${count})`).join(", ")} ${markers.length === 1 ? "is a missing marker" : "are missing markers"}`;
  const remedy = markers.length === 0 ? "" : `; if ${markers.length === 1 ? "it is a value" : "one is a value"} of the label, upload again with ?missing= listing only the markers you mean (?missing= alone: only empty cells)`;
  return `${unlabelled} of ${rows} rows (${share}) have no label in ${label} and are left out${why}${remedy}`;
}

/** Rows equal to an earlier one (features), by label: the same (a duplicate) or another (a conflict). */
function duplicates(x: Float32Array, n: number, m: number, labels: Float32Array) {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const earlier = new RowIndex(bits, m);
  let duplicateRows = 0;
  let conflictingDuplicates = 0;
  for (let row = 0; row < n; row++) {
    const match = earlier.find(bits, row * m);
    if (match === undefined) earlier.add(row);
    else if (Object.is(labels[match], labels[row])) duplicateRows++;
    else conflictingDuplicates++;
  }
  return { duplicateRows, conflictingDuplicates };
}

/** Rows of m 32-bit values, found by a 52-bit hash of their bits and compared value by value on a match. */
class RowIndex {
  private readonly byHash = new Map<number, number[]>();

  constructor(
    private readonly bits: Uint32Array,
    private readonly m: number,
  ) {}

  add(row: number): void {
    const key = rowHash(this.bits, row * this.m, this.m);
    const list = this.byHash.get(key);
    if (list) list.push(row);
    else this.byHash.set(key, [row]);
  }

  /** An added row equal to the m values of `other` from `offset`, or undefined. */
  find(other: Uint32Array, offset: number): number | undefined {
    const { bits, m } = this;
    return this.byHash.get(rowHash(other, offset, m))?.find((row) => {
      for (let j = 0; j < m; j++) if (bits[row * m + j] !== other[offset + j]) return false;
      return true;
    });
  }
}

/** A 52-bit hash of m 32-bit values from `offset`. */
function rowHash(bits: Uint32Array, offset: number, m: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let j = 0; j < m; j++) {
    const v = bits[offset + j];
    h1 = Math.imul(h1 ^ v, 0x01000193) >>> 0;
    h2 = Math.imul(h2 + v, 0x5bd1e995) >>> 0;
  }
  return h1 * 0x100000 + (h2 >>> 12);
}

/** Rows of `x` (m values each) at the given indices. */
export interface RowSet {
  x: Float32Array;
  rows: ArrayLike<number>;
}

/**
 * Validation rows whose features equal a training row's: what a job's split
 * leaks (its validation metrics are partly training metrics).
 */
export function copiesAcross(m: number, train: RowSet, validation: RowSet): number {
  const trainRows = new RowIndex(new Uint32Array(train.x.buffer, train.x.byteOffset, train.x.length), m);
  for (let i = 0; i < train.rows.length; i++) trainRows.add(train.rows[i]);
  const bits = new Uint32Array(validation.x.buffer, validation.x.byteOffset, validation.x.length);
  let copies = 0;
  for (let i = 0; i < validation.rows.length; i++) if (trainRows.find(bits, validation.rows[i] * m) !== undefined) copies++;
  return copies;
}

function sampleRows(n: number): Int32Array {
  if (n <= SAMPLE_ROWS) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: SAMPLE_ROWS }, (_, i) => Math.floor((i * n) / SAMPLE_ROWS));
}

function largestRun(sorted: Float64Array): number {
  let best = 1;
  let run = 1;
  for (let i = 1; i < sorted.length; i++) {
    run = sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

function majorityShare(y: Float64Array, numClasses: number): number {
  const counts = new Float64Array(numClasses);
  for (const label of y) counts[label]++;
  return Math.max(...counts) / y.length;
}

/**
 * How well the column alone predicts the class: the values cut into at most
 * LEAK_BINS bins of about equal counts (equal values share a bin, so an id
 * column does not count as predictive), each bin predicting its majority class.
 */
function binnedAccuracy(values: Float64Array, sorted: Float64Array, y: Float64Array, numClasses: number): number {
  const edges: number[] = [];
  for (let b = 1; b < LEAK_BINS; b++) {
    const edge = sorted[Math.floor((b * sorted.length) / LEAK_BINS)];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  const counts = new Float64Array((edges.length + 1) * numClasses);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[i] >= edges[mid]) lo = mid + 1;
      else hi = mid;
    }
    counts[lo * numClasses + y[i]]++;
  }
  let correct = 0;
  for (let bin = 0; bin <= edges.length; bin++) correct += Math.max(...counts.subarray(bin * numClasses, (bin + 1) * numClasses));
  return correct / values.length;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

function outlierCount(values: Float64Array, sorted: Float64Array): number {
  const median = sorted[sorted.length >> 1];
  const deviations = Float64Array.from(sorted, (v) => Math.abs(v - median)).sort();
  const mad = 1.4826 * deviations[deviations.length >> 1];
  if (mad === 0) return 0;
  let count = 0;
  for (const v of values) if (Math.abs(v - median) > 5 * mad) count++;
  return count;
}

function balanceOf(labels: Float32Array, n: number, numClasses: number): DataReport["classBalance"] {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const present = [...counts].filter((c) => c > 0);
  const smallest = Math.min(...present);
  const largest = Math.max(...present);
  return { smallestShare: round(smallest / n), largestShare: round(largest / n), ratio: round(largest / smallest) };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
