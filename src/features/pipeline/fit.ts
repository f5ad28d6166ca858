import { FeatureError } from "../errors.js";
import { inferColumnTypes, type ColumnReport } from "../infer-types.js";
import { isMissing, requireColumn, type Column, type Table } from "../table.js";
import { DEFAULTS, resolveConfig, splitFeatures, type EncodedType } from "./config.js";
import { assemblePipeline } from "./assemble.js";
import { fitFeature } from "./encoders/index.js";
import { fitLabel, rowsWithLabel } from "./label.js";
import { type DroppedRows, type FitOptions, type FittedFeature, type FittedPipeline, type Task } from "./types.js";

/**
 * Fits the feature pipeline on the training rows of `table`, and on nothing
 * else: types come from the whole table (they are the table's shape, as the
 * user saw them at upload), but every statistic (means, scales, vocabularies,
 * fill values, classes) comes from `rows` only. Rows whose label is missing, or
 * whose value is missing in a `dropRow` column, are left out and counted.
 */
export function fitPipeline(table: Table, fit: FitOptions): FittedPipeline {
  const options = fit.options ?? {};
  const { overrides, configs } = splitFeatures(fit.features);
  for (const name of Object.keys(configs)) requireColumn(table, name);
  const reports = inferColumnTypes(table, { overrides, ignore: fit.ignore, label: fit.label, maxCategoryValues: options.maxCategoryValues });
  const labelColumn = requireColumn(table, fit.label);
  const task = fit.task ?? taskOf(reports.find((report) => report.name === fit.label)!);
  const rows = trainingRows(fit.rows, table.numRows);

  for (const report of reports) {
    if (report.type === "ignore" && configs[report.name] !== undefined && overrides[report.name] !== "ignore") {
      throw new FeatureError("BAD_OPTION", `the column is ignored (${report.reason}); give it a type to configure it`, { column: report.name });
    }
  }
  const used = reports.filter((report) => report.type !== "ignore" && report.name !== fit.label);
  if (used.length === 0) throw new FeatureError("NO_DATA", "no column is left to be a feature (all are ignored or the label)");
  const resolved = used.map((report) => ({ column: requireColumn(table, report.name), config: resolveConfig(report.name, report.type as EncodedType, configs[report.name], options) }));

  const dropped: DroppedRows = { missingLabel: 0, unknownLabel: 0, missingValue: {} };
  let kept = rowsWithLabel(labelColumn, task, rows);
  dropped.missingLabel = rows.length - kept.length;
  for (const { column, config } of resolved) {
    if (config.missing === "dropRow") {
      const before = kept.length;
      kept = kept.filter((row) => !isMissing(column, row));
      if (before > kept.length) dropped.missingValue[column.name] = before - kept.length;
    }
  }
  for (const { column, config } of resolved) if (config.missing === "none") refuseMissing(column, kept);
  if (kept.length === 0) throw new FeatureError("NO_DATA", `none of the ${rows.length} training rows is left (missing labels: ${dropped.missingLabel})`);

  const label = fitLabel(labelColumn, task, kept, options);
  const features: FittedFeature[] = [];
  let width = 0;
  for (const { column, config } of resolved) {
    const feature = fitFeature(config.type, column, kept, config, width);
    features.push(feature);
    width += feature.width;
  }
  const maxWidth = options.maxWidth ?? DEFAULTS.maxWidth;
  if (width > maxWidth) throw new FeatureError("BAD_OPTION", `the features take ${width} columns; at most ${maxWidth} (lower maxCategories or text buckets, or ignore columns)`);

  const ignored = reports.filter((report) => report.type === "ignore").map((report) => ({ column: report.name, reason: report.reason }));
  return assemblePipeline(label, features, ignored, { rows: rows.length, kept: kept.length, dropped });
}

function taskOf(report: ColumnReport): Task {
  if (report.type === "number") return "regression";
  if (report.type === "category" || report.type === "binary") return "classification";
  throw new FeatureError("BAD_OPTION", `the label is a ${report.type} column; a label is a number (regression) or a category (classification)`, { column: report.name });
}

function trainingRows(rows: ArrayLike<number>, numRows: number): Int32Array {
  const out = Int32Array.from(rows);
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= numRows) {
      throw new FeatureError("BAD_OPTION", `training row ${rows[i]} is not a row of the table (0 to ${numRows - 1})`);
    }
  }
  if (out.length === 0) throw new FeatureError("NO_DATA", "no training rows");
  return out;
}

function refuseMissing(column: Column, rows: Int32Array): void {
  const row = rows.find((r) => isMissing(column, r));
  if (row !== undefined) throw new FeatureError("MISSING_VALUE", "missing value, and the column's missing strategy is none (choose one that fills it, or dropRow)", { row, column: column.name });
}
