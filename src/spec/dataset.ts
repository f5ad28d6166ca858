import { Type, type Static } from "typebox";
import { DEFAULT_MISSING_MARKERS, FEATURE_TYPES } from "../features/index.js";
import { Union } from "./union.js";

export const DatasetInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    features: Type.Array(Type.Array(Type.Number(), { minItems: 1 }), {
      minItems: 1,
      description: "One row of numbers per sample.",
    }),
    labels: Type.Array(Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 200 })]), {
      minItems: 1,
      description: "One label per row: a class index into classNames, a class name, or a regression target.",
    }),
    classNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 10_000 })),
    featureNames: Type.Optional(Type.Array(Type.String({ maxLength: 200 }))),
    inputShape: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 3 })),
    task: Type.Optional(
      Type.Enum(["classification", "regression"], {
        description: "Default: classification for string labels or non-negative integer labels, regression otherwise.",
      }),
    ),
  },
  {
    additionalProperties: false,
    title: "DatasetInput",
    examples: [{ name: "xor", features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] }],
  },
);
export type DatasetInput = Static<typeof DatasetInput>;

const Cell = Type.Union([Type.Number(), Type.String({ maxLength: 100_000 }), Type.Boolean(), Type.Null()], {
  description: "A number, a string (a category, a date, a text, or a number as text), a boolean, or null (missing).",
});
const Row = Type.Record(Type.String({ maxLength: 200 }), Cell, { title: "Row", description: "One sample: {column: value}; a column left out is a missing value." });
const ColumnTypes = Type.Record(Type.String({ maxLength: 200 }), Type.Enum(FEATURE_TYPES), {
  title: "ColumnTypes",
  description: "Column types you choose, by column name (checked against every value); the others are inferred.",
});
const MISSING_MARKERS_DESCRIPTION =
  `Cells that mean no value, compared trimmed and case-insensitively; an empty cell always does. Default: ${DEFAULT_MISSING_MARKERS.filter(Boolean).join(" ")}. ` +
  "Give your own list when one of these is a value of your data (\"None\" as a damage class, \"-\" as a sign), or none at all to keep only empty cells missing. " +
  "Predictions and evaluations on the models trained on the table read rows with the same list.";
const MissingMarkerList = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64, description: MISSING_MARKERS_DESCRIPTION });
const IgnoredColumns = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 65_536, description: "Columns left out of the features." });

export const DatasetRowsInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    label: Type.String({ minLength: 1, maxLength: 200, description: "The column that holds the label; the others are features." }),
    rows: Type.Array(Row, { minItems: 1, description: "One object per sample. Cells may be numbers, strings, booleans or null; rows may leave columns out." }),
    columns: Type.Optional(ColumnTypes),
    ignore: Type.Optional(IgnoredColumns),
    task: Type.Optional(Type.Enum(["classification", "regression"])),
    missing: Type.Optional(MissingMarkerList),
    decimal: Type.Optional(Type.Enum([".", ","], { description: 'Text cells such as "12,5" are numbers with ",". Default: ".".' })),
    dateOrder: Type.Optional(Type.Enum(["mdy", "dmy"], { description: "How N/N/YYYY dates read: month first or day first. Default: they stay text." })),
  },
  {
    additionalProperties: false,
    title: "DatasetRowsInput",
    description: "A table: typed columns (number, category, binary, date, text, ignored ids) inferred from the values, missing values allowed.",
    examples: [{ name: "penguins", label: "Species", rows: [{ Species: "Adelie", Island: "Torgersen", "Beak Length (mm)": 39.1, Sex: "MALE" }, { Species: "Gentoo", Island: "Biscoe", "Beak Length (mm)": null, Sex: null }] }],
  },
);
export type DatasetRowsInput = Static<typeof DatasetRowsInput>;

export const DatasetRecords = Type.Array(Row, {
  minItems: 1,
  title: "DatasetRecords",
  description: "A bare JSON array of records, as most JSON data comes: name the label with ?label=.",
  examples: [[{ Species: "Adelie", Island: "Torgersen", "Beak Length (mm)": 39.1 }]],
});

/**
 * A JSON upload: columns of numbers (features + labels: a matrix, as for
 * images), a table (rows + label), or a bare array of records (?label=).
 * Each form refuses the others' fields, so exactly one matches; errors come
 * from the form closest to the body.
 */
export const DatasetUpload = Union([DatasetInput, DatasetRowsInput, DatasetRecords], {
  title: "DatasetUpload",
  examples: [{ name: "xor", features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] }],
});

export const UploadQuery = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "text/csv, NDJSON and bare JSON arrays: the label column (required for them)." })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "text/csv, NDJSON and bare JSON arrays: the dataset's name." })),
    task: Type.Optional(Type.Enum(["classification", "regression"])),
    ignore: Type.Optional(Type.String({ maxLength: 100_000, description: "Columns to leave out, comma-separated: ?ignore=id,date" })),
    types: Type.Optional(Type.String({ maxLength: 100_000, description: "Column types you choose, comma-separated column:type pairs: ?types=zip:category,year:number" })),
    delimiter: Type.Optional(
      Type.Enum(["comma", "semicolon", "tab", "pipe", ",", ";", "|"], { description: "text/csv: what separates the fields. Default: guessed from the header row (the commonest of , ; tab | in it)." }),
    ),
    decimal: Type.Optional(
      Type.Enum([".", ","], { description: 'Tables: "," reads 12,5 as 12.5 (decimals with a point stay numbers too). Default: "," for a ;-separated CSV, else ".". Predictions on the models trained on the table read rows the same way.' }),
    ),
    dateOrder: Type.Optional(
      Type.Enum(["mdy", "dmy"], { description: "Tables: how N/N/YYYY dates read: mdy (month first: 3/19/2019) or dmy (day first: 19/3/2019). Default: they stay text, as their order cannot be told. Predictions read rows the same way." }),
    ),
    missing: Type.Optional(Type.String({ maxLength: 4_000, description: `Tables: comma-separated, e.g. ?missing=NA,null (and ?missing= for empty cells only). ${MISSING_MARKERS_DESCRIPTION}` })),
    inputShape: Type.Optional(
      Type.String({
        pattern: "^[1-9][0-9]{0,8}(,[1-9][0-9]{0,8}){0,2}$",
        description: "text/csv with kind=matrix: the shape of one sample, comma-separated, e.g. 30,2 for sequences of 30 steps of 2 features (columns in row-major order: step 1's features, then step 2's, ...). Default: the feature count.",
      }),
    ),
    kind: Type.Optional(
      Type.Enum(["table", "matrix"], { description: "text/csv: table (default: typed columns, missing values allowed) or matrix (numbers only, stored as float32, as before)." }),
    ),
  },
  { additionalProperties: false },
);
export type UploadQuery = Static<typeof UploadQuery>;

const NumberStats = Type.Object(
  {
    count: Type.Integer(),
    min: Type.Number(),
    max: Type.Number(),
    mean: Type.Number(),
    std: Type.Number(),
    quantiles: Type.Object({ p05: Type.Number(), p25: Type.Number(), p50: Type.Number(), p75: Type.Number(), p95: Type.Number() }),
    integer: Type.Boolean(),
  },
  { title: "NumberStats" },
);
const CategoryStats = Type.Object(
  { distinct: Type.Integer(), top: Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }), { description: "The most frequent values, most frequent first." }) },
  { title: "CategoryStats" },
);
const DateStats = Type.Object({ count: Type.Integer(), min: Type.String(), max: Type.String() }, { title: "DateStats" });
const TextStats = Type.Object(
  { count: Type.Integer(), distinct: Type.Integer(), distinctCapped: Type.Boolean(), meanLength: Type.Number(), maxLength: Type.Integer(), meanWords: Type.Number() },
  { title: "TextStats" },
);

export const ColumnReport = Type.Object(
  {
    name: Type.String(),
    type: Type.Enum(FEATURE_TYPES, { description: "What the column is to the model." }),
    storage: Type.Enum(["number", "string", "boolean", "date"], { description: "How the table stores its values." }),
    count: Type.Integer({ description: "Rows with a value." }),
    missing: Type.Integer({ description: "Rows without one." }),
    missingAs: Type.Optional(
      Type.Record(Type.String(), Type.Integer(), { description: "Of those, the cells that held a missing marker (see missingMarkers), by their text as written: {\"None\": 8939}. Empty cells are not counted here." }),
    ),
    reason: Type.String({ description: "Why it has its type: inferred (and from what), override, or ignored by request." }),
    label: Type.Optional(Type.Boolean()),
    stats: Type.Union([NumberStats, CategoryStats, DateStats, TextStats, Type.Null()]),
  },
  { title: "ColumnReport" },
);

export const FeatureStatistics = Type.Object(
  {
    name: Type.String(),
    min: Type.Number(),
    max: Type.Number(),
    mean: Type.Number(),
    std: Type.Number(),
    missing: Type.Integer({ description: "Always 0 for stored data: missing values are refused at upload." }),
  },
  { title: "FeatureStatistics" },
);

export const DatasetStatistics = Type.Object({ features: Type.Array(FeatureStatistics) }, { title: "DatasetStatistics" });

const NamedShare = Type.Object({ name: Type.String(), share: Type.Number() }, { additionalProperties: false });

/** The data report computed at upload (src/services/data-report.ts). */
export const DataReport = Type.Object(
  {
    rows: Type.Integer(),
    duplicateRows: Type.Integer({ description: "Rows equal to an earlier row, features and label: a split can put copies on both sides." }),
    conflictingDuplicates: Type.Integer({ description: "Rows with an earlier row's features and another label." }),
    constantColumns: Type.Array(Type.String()),
    nearConstantColumns: Type.Array(NamedShare, { description: "Columns whose most frequent value fills at least 99% of the rows." }),
    likelyLeaks: Type.Array(
      Type.Object({ name: Type.String(), measure: Type.Enum(["accuracy", "correlation"]), value: Type.Number() }, { additionalProperties: false }),
      { description: "Columns that predict the label almost alone: accuracy of the column cut into 32 bins (classification, at least 0.98), or |correlation| (regression, at least 0.99)." },
    ),
    classBalance: Type.Union([Type.Object({ smallestShare: Type.Number(), largestShare: Type.Number(), ratio: Type.Number() }, { additionalProperties: false }), Type.Null()]),
    outliers: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() }, { additionalProperties: false }), { description: "Values more than 5 scaled median absolute deviations from the median." }),
    sampledRows: Type.Integer({ description: "Rows the per-column measures read (all, or an even sample of 20,000)." }),
    warnings: Type.Array(Type.String()),
  },
  {
    title: "DataReport",
    description:
      "Computed at upload from the numbers a model trains on (a matrix's features; a table's labelled rows through its default pipeline, one-hot columns apart). " +
      "Datasets from before reports have none.",
  },
);

export type DataReportView = Static<typeof DataReport>;

export const Dataset = Type.Object(
  {
    id: Type.String({ examples: ["ds_01jf3k2m9q8r7s6t5v4w"] }),
    name: Type.String(),
    numSamples: Type.Integer(),
    numFeatures: Type.Integer(),
    inputShape: Type.Array(Type.Integer()),
    task: Type.Enum(["classification", "regression"]),
    numClasses: Type.Integer({ description: "0 for regression." }),
    classNames: Type.Optional(Type.Array(Type.String(), { description: "On GET /v1/datasets/{id}; lists leave it out." })),
    classCounts: Type.Optional(Type.Array(Type.Integer(), { description: "Samples per class, in classNames order. On GET /v1/datasets/{id}; lists leave it out." })),
    featureNames: Type.Optional(Type.Array(Type.String(), { description: "On GET /v1/datasets/{id}; lists leave it out." })),
    checksum: Type.String({ description: "sha256 of the stored data (a matrix's features and labels, a table's encoded columns): identical uploads have identical checksums." }),
    kind: Type.Enum(["matrix", "table"], { description: "matrix: numbers (features and labels); table: typed columns (see columns), turned into features by each job's pipeline." }),
    labelColumn: Type.Optional(Type.String({ description: "Tables: the label column." })),
    rowsWithoutLabel: Type.Optional(Type.Integer({ description: "Tables: rows left out of numSamples because their label is missing." })),
    missingMarkers: Type.Optional(Type.Array(Type.String(), { description: "Tables: the cells that meant no value at upload (besides empty ones): ?missing= or the default list." })),
    decimal: Type.Optional(Type.Enum([".", ","], { description: "Tables: the decimal separator the upload's numbers were read with." })),
    dateOrder: Type.Optional(Type.Enum(["mdy", "dmy"], { description: "Tables: how the upload read N/N/YYYY dates, when it was told (?dateOrder=)." })),
    columns: Type.Optional(Type.Array(ColumnReport, { description: "Tables: each column's type, missing count and statistics (on GET /v1/datasets/{id})." })),
    statistics: Type.Optional(DatasetStatistics),
    report: Type.Optional(Type.Union([DataReport, Type.Null()], { description: "On GET /v1/datasets/{id}; lists leave it out." })),
    createdAt: Type.String({ format: "date-time" }),
  },
  {
    title: "Dataset",
    examples: [
      {
        id: "ds_01jf3k2m9q8r7s6t5v4w",
        name: "xor",
        numSamples: 4,
        numFeatures: 2,
        inputShape: [2],
        task: "classification",
        numClasses: 2,
        classNames: ["no", "yes"],
        classCounts: [2, 2],
        featureNames: ["x0", "x1"],
        checksum: "3f9a6c2e8d1b4a7f0e5c9b2d6a8f1e3c7b0d4a9e2f6c8b1d5a3e7f0c9b2d4a6e",
        statistics: { features: [{ name: "x0", min: 0, max: 1, mean: 0.5, std: 0.5, missing: 0 }, { name: "x1", min: 0, max: 1, mean: 0.5, std: 0.5, missing: 0 }] },
        createdAt: "2025-01-01T12:00:00.000Z",
      },
    ],
  },
);
export type DatasetView = Static<typeof Dataset>;
