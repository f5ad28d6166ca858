import { FeatureError } from "../errors.js";
import { requireColumn, type Table } from "../table.js";
import { cellReading } from "../cells.js";
import { tableFromRecords } from "../table-builder.js";
import { featureWriter } from "./encoders/index.js";
import { labelReader } from "./label.js";
import type { DroppedRows, FittedPipeline } from "./types.js";

export interface TransformOptions {
  /** Also produce `y` from the label column (which must then be there). @defaultValue true for a table, false for records */
  labels?: boolean;
  /**
   * A missing value in a column whose strategy cannot fill it (dropRow, none):
   * "drop" leaves the row out and counts it; "error" throws MISSING_VALUE naming the row and column.
   * @defaultValue "drop" for a table, "error" for records
   */
  onMissing?: "drop" | "error";
}

export interface TransformResult {
  /** numRows x width, row-major: the model's input. */
  x: Float32Array;
  width: number;
  numRows: number;
  /** For each row of x, the index of the row it came from (in the table, or in the records). */
  rowsKept: Int32Array;
  /** With labels: one value per row of x, a class index (classification) or the target (regression, scaled as fitted). */
  y?: Float32Array;
  dropped: DroppedRows;
}

/** The rows `rows` of a stored table (training, validation or test rows alike) through a fitted pipeline. */
export function transformTable(pipeline: FittedPipeline, table: Table, rows: ArrayLike<number>, options: TransformOptions = {}): TransformResult {
  const withLabels = options.labels ?? true;
  const onMissing = options.onMissing ?? "drop";
  const writers = pipeline.features.map((feature) => ({ feature, writer: featureWriter(feature, requireColumn(table, feature.column)) }));
  const strict = writers.filter(({ feature }) => feature.missing.strategy === "dropRow" || feature.missing.strategy === "none");
  const label = withLabels ? labelReader(pipeline.label, requireColumn(table, pipeline.label.column)) : null;

  const dropped: DroppedRows = { missingLabel: 0, unknownLabel: 0, missingValue: {} };
  const kept = new Int32Array(rows.length);
  const targets = new Float32Array(rows.length);
  let count = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || row >= table.numRows) throw new FeatureError("BAD_OPTION", `row ${row} is not a row of the table (0 to ${table.numRows - 1})`);
    const target = label ? label(row) : 0;
    if (Number.isNaN(target)) {
      dropped.missingLabel++;
      continue;
    }
    if (target === -1 && pipeline.label.task === "classification") {
      dropped.unknownLabel++;
      continue;
    }
    const unfillable = strict.find(({ writer }) => writer.missing(row));
    if (unfillable) {
      const { column, missing } = unfillable.feature;
      if (onMissing === "error") {
        throw new FeatureError("MISSING_VALUE", `missing value, which the model cannot fill in (the column's missing strategy is ${missing.strategy})`, { row, column });
      }
      dropped.missingValue[column] = (dropped.missingValue[column] ?? 0) + 1;
      continue;
    }
    kept[count] = row;
    targets[count++] = target;
  }

  const { width } = pipeline;
  const x = new Float32Array(count * width);
  for (let i = 0; i < count; i++) {
    for (const { feature, writer } of writers) writer.write(kept[i], x, i * width + feature.offset);
  }
  return { x, width, numRows: count, rowsKept: kept.slice(0, count), ...(label ? { y: targets.slice(0, count) } : {}), dropped };
}

/**
 * Raw records (predict or evaluate on rows as a client sends them) through a
 * fitted pipeline: values read by the same grammar as an upload, keys the
 * pipeline does not use ignored, a left-out key a missing value. A value of
 * the wrong kind ("abc" for a number) is a TYPE_MISMATCH naming the row and column.
 */
export function transformRecords(pipeline: FittedPipeline, records: readonly unknown[], options: TransformOptions = {}): TransformResult {
  const withLabels = options.labels ?? false;
  const columns = pipeline.features.map((feature) => feature.column);
  if (withLabels) columns.push(pipeline.label.column);
  const table = tableFromRecords(records, { columns, unknownKeys: "ignore", ...cellReading(pipeline) });
  return transformTable(pipeline, table, Int32Array.from({ length: table.numRows }, (_, i) => i), { labels: withLabels, onMissing: options.onMissing ?? "error" });
}
