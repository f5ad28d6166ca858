// The tabular feature pipeline: pure TypeScript (no I/O, no Node, no npm
// packages). See README.md for the API and its decisions.

export { FeatureError, featureErrorCodes, type FeatureErrorCode } from "./errors.js";
export { DEFAULT_MISSING_MARKERS, cellReading, isDecimal, type CellReading } from "./cells.js";
export { parseDate, formatDate, looksSlashed, type DateOrder } from "./dates.js";
export { FEATURE_TYPES, isFeatureType, type FeatureType } from "./feature-types.js";
export { BOOLEAN_MISSING, STRING_MISSING, cellValue, findColumn, isMissing } from "./table.js";
export type { BooleanColumn, Column, ColumnKind, DateColumn, NumberColumn, StringColumn, Table } from "./table.js";
export { Vocabulary } from "./vocabulary.js";
export { DICTIONARY_CAP } from "./column-builder.js";
export { TableBuilder, tableFromRecords, type TableBuilderOptions } from "./table-builder.js";
export { TABLE_FORMAT_VERSION, decodeTable, encodeTable } from "./table-codec.js";
export { categoryKey, readCategories, readDates, readNumbers, readText, type CategoryCodes } from "./column-reader.js";
export type { CategoryStats, DateStats, NumberStats, TextStats, ValueCount } from "./column-statistics.js";
export { DEFAULT_MAX_CATEGORY_VALUES, NUMERIC_CATEGORY_MAX, inferColumnTypes, type ColumnReport, type InferenceOptions } from "./infer-types.js";
export { fitPipeline } from "./pipeline/fit.js";
export { transformRecords, transformTable, type TransformOptions, type TransformResult } from "./pipeline/transform.js";
export { decodePipeline } from "./pipeline/decode.js";
export { MAX_CLASSES, targetFromOutput } from "./pipeline/label.js";
export { DEFAULTS as PIPELINE_DEFAULTS, MAX_CATEGORIES, MAX_TEXT_BUCKETS } from "./pipeline/config.js";
export * from "./pipeline/types.js";
export { classWeights, countClasses, sampleWeights } from "./class-weights.js";
export { splitRows, type RowSplit, type SplitOptions } from "./split.js";
export { MAX_HORIZON, MAX_WINDOW, stepWidth, windowRows, windowShape, type WindowedSamples } from "./time-windows.js";
export { classificationMetrics, perClassMetrics, type ClassMetrics, type ClassificationMetrics } from "./metrics/classification.js";
export { regressionMetrics, type RegressionMetrics } from "./metrics/regression.js";
export { rocAuc } from "./metrics/roc-auc.js";
