// The label: class names for classification (from the training rows), or a
// numeric target for regression, optionally standardized.

import { isDecimal } from "../cells.js";
import { readCategories, readNumbers } from "../column-reader.js";
import { compareText, countCodes, numberStats } from "../column-statistics.js";
import { FeatureError } from "../errors.js";
import type { Column } from "../table.js";
import type { FittedLabel, FittedPipeline, PipelineOptions, Task } from "./types.js";

/** The most classes a label may have (as a dataset's classNames). */
export const MAX_CLASSES = 10_000;

/** The rows of `rows` whose label is present. */
export function rowsWithLabel(column: Column, task: Task, rows: Int32Array): Int32Array {
  const present = task === "regression" ? presentNumber(readNumbers(column)) : presentCode(readCategories(column).codes);
  return rows.filter((row) => present(row));
}

export function fitLabel(column: Column, task: Task, rows: Int32Array, options: PipelineOptions): FittedLabel {
  if (task === "regression") {
    const stats = numberStats(readNumbers(column), rows);
    if (!stats) throw new FeatureError("NO_DATA", "no training row has a label", { column: column.name });
    const scaling = options.targetScaling === "standard" ? { kind: "standard" as const, mean: stats.mean, std: stats.std || 1 } : { kind: "none" as const };
    return { column: column.name, task, scaling, stats: { min: stats.min, max: stats.max, mean: stats.mean, std: stats.std } };
  }
  const { codes, values } = readCategories(column);
  const counts = countCodes(codes, values.length, rows);
  const present = values.map((_, code) => code).filter((code) => counts[code] > 0);
  const numeric = present.every((code) => isDecimal(values[code]));
  present.sort((a, b) => (numeric ? Number(values[a]) - Number(values[b]) : compareText(values[a], values[b])));
  if (present.length < 2) throw new FeatureError("NO_DATA", `classification needs at least two classes in the training rows; there ${present.length === 1 ? "is one" : "are none"}`, { column: column.name });
  if (present.length > MAX_CLASSES) throw new FeatureError("BAD_OPTION", `the label has ${present.length} classes; at most ${MAX_CLASSES}`, { column: column.name });
  return { column: column.name, task, classNames: present.map((code) => values[code]), classCounts: present.map((code) => counts[code]) };
}

/** The label of any row as the model's target: a class index, or the (scaled) target; -1 for an unknown class, NaN for a missing label. */
export function labelReader(label: FittedLabel, column: Column): (row: number) => number {
  if (label.task === "regression") {
    const values = readNumbers(column);
    const [mean, std] = label.scaling.kind === "standard" ? [label.scaling.mean, label.scaling.std] : [0, 1];
    return (row) => (values[row] - mean) / std;
  }
  const { codes, values } = readCategories(column);
  const index = new Map(label.classNames.map((name, i) => [name, i]));
  const classOf = Int32Array.from(values, (value) => index.get(value) ?? -1);
  return (row) => (codes[row] < 0 ? Number.NaN : classOf[codes[row]]);
}

/** A regression output of the model in the label's units (undoes targetScaling). */
export function targetFromOutput(pipeline: FittedPipeline, output: number): number {
  const { label } = pipeline;
  if (label.task !== "regression") throw new FeatureError("BAD_OPTION", "the pipeline's label is a classification label", { column: label.column });
  return label.scaling.kind === "standard" ? output * label.scaling.std + label.scaling.mean : output;
}

function presentNumber(values: Float64Array): (row: number) => boolean {
  return (row) => !Number.isNaN(values[row]);
}

function presentCode(codes: Int32Array): (row: number) => boolean {
  return (row) => codes[row] >= 0;
}
