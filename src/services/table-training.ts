// Training on a table dataset: the job's rows are split (seeded, stratified
// by class) before anything is fitted, the feature pipeline is fitted on the
// training rows only, and every part goes through it. The API does this at
// submission (to check the spec against the pipeline's width and classes,
// and to store the pipeline with the job); the worker re-splits with the
// same seed and reuses the stored pipeline.

import type { Dataset } from "../db/client.js";
import { decodeColumnReports, decodeMissingMarkers } from "../db/json-columns.js";
import { DescentError, pointerSegment } from "../errors.js";
import {
  FeatureError,
  decodeTable,
  findColumn,
  fitPipeline,
  readCategories,
  splitRows,
  transformTable,
  windowRows,
  cellReading,
  type CellReading,
  type FeatureConfig,
  type FeatureType,
  type FittedPipeline,
  type RowSplit,
  type Table,
  type TimeWindows,
  type TransformResult,
} from "../features/index.js";
import type { TrainingConfig } from "../spec/training-config.js";

/** What a job says about its table: the fields of TrainingConfig that only tables have. */
export type TableTraining = Pick<TrainingConfig, "seed" | "validationSplit" | "testSplit" | "features" | "ignore" | "preprocessing" | "timeSeries">;

export interface TableDataset {
  id: string;
  labelColumn: string | null;
  /** The upload's column report: its overrides and ignored columns apply to every job. */
  columns: { name: string; type: FeatureType; label?: boolean }[];
  /** How the upload read the cells (?missing=, ?decimal=, ?dateOrder=): a job's pipeline keeps it, for the rows its model predicts on. */
  reading: CellReading;
}

type ReadingColumns = "id" | "missingMarkers" | "decimalComma" | "dateOrder";
/** The columns of a table dataset's row that tableDatasetOf reads. */
export type TableDatasetRow = Pick<Dataset, "labelColumn" | "columns" | ReadingColumns>;

/** A table dataset's row as the pipeline's fit and split need it. */
export function tableDatasetOf(row: TableDatasetRow): TableDataset {
  return { id: row.id, labelColumn: row.labelColumn, columns: decodeColumnReports(row.columns, `dataset ${row.id}'s columns`), reading: cellReadingOf(row) };
}

/** How a table dataset's upload read its cells, from its row. */
export function cellReadingOf(row: Pick<Dataset, ReadingColumns>): CellReading {
  return cellReading({
    missingMarkers: row.missingMarkers === null ? null : decodeMissingMarkers(row.missingMarkers, `dataset ${row.id}'s missing markers`),
    decimal: row.decimalComma ? "," : ".",
    dateOrder: row.dateOrder === "mdy" || row.dateOrder === "dmy" ? row.dateOrder : null,
  });
}

/**
 * The job's rows: training, validation and test, the same on every run with
 * the same seed and fractions. A time series splits in time order instead.
 */
export function splitTable(table: Table, dataset: TableDataset, training: TableTraining): RowSplit {
  const fractions = { validation: training.validationSplit ?? 0, test: training.testSplit ?? 0, seed: training.seed ?? 0 };
  if (training.timeSeries) return splitRows(table.numRows, { ...fractions, ordered: true });
  const report = dataset.columns.find((column) => column.label);
  const label = findColumn(table, dataset.labelColumn ?? "");
  // Stratified by class for classification (each class splits in the same proportions).
  const strata = label && report && report.type !== "number" ? readCategories(label).codes : undefined;
  return splitRows(table.numRows, { ...fractions, strata });
}

/** The feature pipeline of a job, fitted on its training rows; errors point into /training. */
export function fitJobPipeline(table: Table, dataset: TableDataset, training: TableTraining, split: RowSplit): FittedPipeline {
  const fromUpload = Object.fromEntries(dataset.columns.filter((c) => !c.label && c.type !== "ignore").map((c) => [c.name, c.type as FeatureType]));
  const ignoredAtUpload = dataset.columns.filter((c) => c.type === "ignore").map((c) => c.name);
  const features: Record<string, FeatureType | FeatureConfig> = { ...fromUpload };
  for (const [column, choice] of Object.entries(training.features ?? {})) {
    const base = typeof features[column] === "string" ? { type: features[column] as FeatureType } : {};
    features[column] = typeof choice === "string" ? choice : { ...base, ...choice };
  }
  const ignore = [...new Set([...ignoredAtUpload.filter((name) => !(name in (training.features ?? {}))), ...(training.ignore ?? [])])];
  for (const name of Object.keys(features)) if (ignore.includes(name)) delete features[name];
  try {
    const pipeline = fitPipeline(table, { label: dataset.labelColumn!, rows: split.train, features, ignore, options: training.preprocessing });
    return {
      ...pipeline,
      ...(training.timeSeries ? { timeSeries: resolveTimeWindows(training.timeSeries, pipeline) } : {}),
      ...dataset.reading,
    };
  } catch (error) {
    if (!(error instanceof FeatureError)) throw error;
    const path = error.column !== undefined && error.column in (training.features ?? {}) ? `/training/features/${pointerSegment(error.column)}` : "/training";
    throw new DescentError("INVALID_SPEC", `the feature pipeline cannot be fitted on this job's training rows: ${error.message}`, [{ path, message: error.message }]);
  }
}

/** The defaults of a job's timeSeries filled in; a classification label cannot be an input. */
function resolveTimeWindows(timeSeries: NonNullable<TrainingConfig["timeSeries"]>, pipeline: FittedPipeline): TimeWindows {
  const regression = pipeline.label.task === "regression";
  if (timeSeries.pastLabel && !regression) {
    const message = `pastLabel needs a regression label; ${pipeline.label.column} is a classification label (its past classes can be a feature column of their own)`;
    throw new DescentError("INVALID_SPEC", message, [{ path: "/training/timeSeries/pastLabel", message }]);
  }
  return { window: timeSeries.window, horizon: timeSeries.horizon ?? 1, stride: timeSeries.stride ?? 1, pastLabel: timeSeries.pastLabel ?? regression };
}

/** Samples as the engine takes them: numRows inputs, row-major, and their targets. */
export type TableSamples = Pick<TransformResult, "x" | "y" | "numRows">;

export interface TableTrainingData {
  train: TableSamples;
  validation: TableSamples | null;
  test: TableSamples | null;
}

/** Every part of the split through the pipeline: what fit and the test evaluation take. */
export function tableTrainingData(table: Table, pipeline: FittedPipeline, split: RowSplit): TableTrainingData {
  if (pipeline.timeSeries) return timeSeriesData(table, pipeline, pipeline.timeSeries, split);
  const part = (rows: Int32Array) => (rows.length === 0 ? null : transformTable(pipeline, table, rows));
  return { train: transformTable(pipeline, table, split.train), validation: part(split.validation), test: part(split.test) };
}

/**
 * A time series: all rows through the pipeline (fitted on the training rows
 * only), cut into windows, and each window goes to the part its target row is
 * in. Validation and test windows may read training rows (their past), never
 * the other way round.
 */
function timeSeriesData(table: Table, pipeline: FittedPipeline, windows: TimeWindows, split: RowSplit): TableTrainingData {
  const all = transformTable(pipeline, table, Int32Array.from({ length: table.numRows }, (_, i) => i));
  const samples = windowRows(pipeline, windows, all, "training");
  const partOf = new Uint8Array(table.numRows);
  split.validation.forEach((row) => (partOf[row] = 1));
  split.test.forEach((row) => (partOf[row] = 2));
  const sampleSize = samples.numRows === 0 ? 0 : samples.x.length / samples.numRows;
  const part = (which: number): TableSamples | null => {
    const picked: number[] = [];
    samples.rows.forEach((row, sample) => partOf[row] === which && picked.push(sample));
    if (which !== 0 && picked.length === 0) return null;
    const x = new Float32Array(picked.length * sampleSize);
    const y = new Float32Array(picked.length);
    picked.forEach((sample, i) => {
      x.set(samples.x.subarray(sample * sampleSize, (sample + 1) * sampleSize), i * sampleSize);
      y[i] = samples.y![sample];
    });
    return { x, y, numRows: picked.length };
  };
  return { train: part(0)!, validation: part(1), test: part(2) };
}

/** A few decoded tables per process, by dataset id: stored tables never change. */
export function createTableCache(size = 2) {
  const cache = new Map<string, Table>();
  return (id: string, bytes: () => Promise<Uint8Array | null>): Promise<Table | null> => {
    const cached = cache.get(id);
    if (cached) {
      cache.delete(id);
      cache.set(id, cached);
      return Promise.resolve(cached);
    }
    return bytes().then((data) => {
      if (data === null) return null;
      const table = decodeTable(data);
      cache.set(id, table);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return table;
    });
  };
}
