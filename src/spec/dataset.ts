import { Type, type Static } from "typebox";
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

export const DatasetRowsInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    label: Type.String({ minLength: 1, maxLength: 200, description: "The property of each row that holds its label; the others are features." }),
    rows: Type.Array(Type.Record(Type.String({ maxLength: 200 }), Type.Union([Type.Number(), Type.String({ maxLength: 200 })])), {
      minItems: 1,
      description: "One object per sample, all with the same properties; features must be numbers.",
    }),
    classNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 10_000 })),
    task: Type.Optional(Type.Enum(["classification", "regression"])),
  },
  {
    additionalProperties: false,
    title: "DatasetRowsInput",
    examples: [{ name: "iris-sample", label: "species", rows: [{ sepalLength: 5.1, sepalWidth: 3.5, species: "setosa" }] }],
  },
);
export type DatasetRowsInput = Static<typeof DatasetRowsInput>;

/**
 * A JSON upload is either columns (features + labels) or rows of objects
 * (rows + label). Each form refuses the other's fields, so exactly one
 * matches; errors come from the form closest to the body.
 */
export const DatasetUpload = Union([DatasetInput, DatasetRowsInput], {
  title: "DatasetUpload",
  examples: [{ name: "xor", features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] }],
});

export const CsvQuery = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "text/csv uploads: the header of the label column (required for CSV)." })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "text/csv uploads: the dataset's name." })),
    task: Type.Optional(Type.Enum(["classification", "regression"])),
  },
  { additionalProperties: false },
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
    checksum: Type.String({ description: "sha256 of the stored features and labels: identical uploads have identical checksums." }),
    statistics: Type.Optional(DatasetStatistics),
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
