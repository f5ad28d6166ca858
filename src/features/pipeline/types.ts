// The feature pipeline's options and its fitted, plain-JSON form: what is
// stored with a model and shown to its user.

import type { CellReading } from "../cells.js";
import type { FeatureType } from "../feature-types.js";

export const MISSING_STRATEGIES = ["mean", "median", "mostFrequent", "constant", "dropRow", "none"] as const;
/** How a missing value is filled. `dropRow` leaves the row out of training; `none` refuses missing values. */
export type MissingStrategy = (typeof MISSING_STRATEGIES)[number];

export const SCALINGS = ["standard", "minmax", "none"] as const;
export type Scaling = (typeof SCALINGS)[number];

export const INDICATOR_MODES = ["auto", "always", "never"] as const;
/** `auto`: a 0/1 "missing" column for a feature whose training rows missed values (and were imputed). */
export type IndicatorMode = (typeof INDICATOR_MODES)[number];

export type Task = "classification" | "regression";

/** Per-column choices; every field is optional and falls back on PipelineOptions and the type's default. */
export interface FeatureConfig {
  type?: FeatureType;
  missing?: MissingStrategy;
  /** The value `constant` fills in: a number (number), a value of the column (category, binary), a date text (date), a text (text). */
  fillValue?: number | string;
  missingIndicator?: IndicatorMode;
  /** number */
  scaling?: Scaling;
  /** category: values seen fewer times than this in training go to the "other" bucket. */
  minCount?: number;
  /** category: one-hot columns at most (the most frequent values), besides "other"; with ids, ids at most (default 10,000). */
  maxCategories?: number;
  /** category: "oneHot" (default), or "ids": one column holding 1 + the value's rank (0: other or unseen), for an embedding. */
  encoding?: CategoryEncoding;
  /** text: hashed buckets, a power of two. */
  buckets?: number;
}

export const CATEGORY_ENCODINGS = ["oneHot", "ids"] as const;
export type CategoryEncoding = (typeof CATEGORY_ENCODINGS)[number];

export interface PipelineOptions {
  /** @defaultValue "standard" (mean and standard deviation of the training rows) */
  scaling?: Scaling;
  /** @defaultValue "auto" */
  missingIndicator?: IndicatorMode;
  /** @defaultValue 3 */
  minCount?: number;
  /** @defaultValue 50 */
  maxCategories?: number;
  /** @defaultValue 256 */
  textBuckets?: number;
  /** Regression targets: "standard" trains on (y - mean) / std; targetFromOutput converts back. @defaultValue "none" */
  targetScaling?: "none" | "standard";
  /** Most distinct values an inferred category may have (see inferColumnTypes). @defaultValue 1000 */
  maxCategoryValues?: number;
  /** The widest feature vector fit accepts. @defaultValue 65_536 */
  maxWidth?: number;
}

export interface FitOptions {
  /** The label column. */
  label: string;
  /** The training rows (table row indices): the only rows any statistic is computed from. */
  rows: ArrayLike<number>;
  /** By default from the label's type: number -> regression; category, binary -> classification. */
  task?: Task;
  /** Per column: a type, or a FeatureConfig. */
  features?: Record<string, FeatureType | FeatureConfig>;
  /** Columns left out. */
  ignore?: readonly string[];
  options?: PipelineOptions;
}

export interface MissingHandling {
  strategy: MissingStrategy;
  /** The value filled in (raw units: a number, a category's value, epoch ms, a text); null for dropRow and none. */
  fill: number | string | null;
  /** The feature has a 0/1 column, 1 where the value was missing. */
  indicator: boolean;
  /** Missing values among the training rows. */
  seen: number;
}

interface FittedFeatureBase {
  column: string;
  /** The feature's first column in the output vector; it takes `width` columns. */
  offset: number;
  width: number;
  missing: MissingHandling;
}

export type NumberScaling = { kind: "standard"; mean: number; std: number } | { kind: "minmax"; min: number; max: number } | { kind: "none" };

export interface NumberFeature extends FittedFeatureBase {
  type: "number";
  scaling: NumberScaling;
}

/**
 * One-hot over `categories`, then the `other` bucket (rare and unseen values) when there is one; unseen values are all zeros without it.
 * With `encoding: "ids"`: one column, 1 + the value's index in `categories`, 0 for any other value (an embedding's
 * input: categories.length + 1 ids).
 */
export interface CategoryFeature extends FittedFeatureBase {
  type: "category";
  categories: string[];
  other: boolean;
  encoding?: "ids";
}

/** 1 for `positive`, 0 for `negative`. */
export interface BinaryFeature extends FittedFeatureBase {
  type: "binary";
  negative: string;
  positive: string;
}

/** Decimal year (standardized), then sine and cosine of month, day of week, day of year, and (datetime) hour of day, in UTC. */
export interface DateFeature extends FittedFeatureBase {
  type: "date" | "datetime";
  year: { mean: number; std: number };
}

/** Hashed bag of words: log(1 + count) of the words falling in each of `buckets` buckets (FNV-1a, see text-tokens.ts). */
export interface TextFeature extends FittedFeatureBase {
  type: "text";
  buckets: number;
}

export type FittedFeature = NumberFeature | CategoryFeature | BinaryFeature | DateFeature | TextFeature;

export type FittedLabel =
  | { column: string; task: "classification"; classNames: string[]; classCounts: number[] }
  | {
      column: string;
      task: "regression";
      scaling: { kind: "none" } | { kind: "standard"; mean: number; std: number };
      stats: { min: number; max: number; mean: number; std: number };
    };

export const OUTPUT_ENCODINGS = [
  "standard",
  "minmax",
  "raw",
  "oneHot",
  "other",
  "binary",
  "year",
  "monthSin",
  "monthCos",
  "weekdaySin",
  "weekdayCos",
  "yearDaySin",
  "yearDayCos",
  "hourSin",
  "hourCos",
  "textBucket",
  "categoryId",
  "missing",
] as const;
export type OutputEncoding = (typeof OUTPUT_ENCODINGS)[number];

/** One column of the feature vector: where it comes from and how. */
export interface OutputColumn {
  name: string;
  column: string;
  encoding: OutputEncoding;
  /** oneHot: the category; binary: the positive value; textBucket: the bucket's index. */
  value?: string;
}

export const PIPELINE_FORMAT = "descent-feature-pipeline";
export const PIPELINE_VERSION = 1;

/** With the table's CellReading: the rows it transforms are read as the table's upload read its cells. */
export interface FittedPipeline extends CellReading {
  format: typeof PIPELINE_FORMAT;
  version: typeof PIPELINE_VERSION;
  label: FittedLabel;
  features: FittedFeature[];
  /** Columns of the feature vector (the model's input size). */
  width: number;
  outputs: OutputColumn[];
  /** Columns of the table not used, and why. */
  ignored: { column: string; reason: string }[];
  training: {
    /** Training rows given to fit. */
    rows: number;
    /** Of them, rows fitted on (and trained on). */
    kept: number;
    dropped: DroppedRows;
  };
  /** Time series: the model reads windows of consecutive rows, not single rows (time-windows.ts). */
  timeSeries?: TimeWindows;
}

/**
 * A time series as windows: each sample is `window` consecutive rows, in the
 * table's order, and its target is the label `horizon` rows after the
 * window's last row; windows start every `stride` rows. With `pastLabel`
 * (regression), each row of the window also carries its label's value,
 * standardized with the training rows' statistics: the past of the series
 * itself, usually its best predictor.
 */
export interface TimeWindows {
  window: number;
  horizon: number;
  stride: number;
  pastLabel: boolean;
}

export interface DroppedRows {
  missingLabel: number;
  /** A label that is not one of the pipeline's classes (transform only: fit takes its classes from the training rows). */
  unknownLabel: number;
  /** Rows dropped for a missing value in a column whose strategy is dropRow, by column. */
  missingValue: Record<string, number>;
}
