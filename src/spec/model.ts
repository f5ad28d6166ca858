import { Type, type Static } from "typebox";
import { LabelViewFields } from "./common.js";
import { ModelSpec } from "./model-spec.js";
import { TaggedBy, Union } from "./union.js";

export const LayerSummary = Type.Object(
  {
    index: Type.Integer(),
    type: Type.String(),
    outputShape: Type.Array(Type.Integer()),
    parameterCount: Type.Integer(),
    flops: Type.Number({ description: "Floating-point operations of this layer's forward pass for one sample (an estimate)." }),
    frozen: Type.Boolean({ description: "Gets no updates in training (transfer learning)." }),
    name: Type.Optional(Type.String({ description: "The layer's name, when the spec gives one." })),
    inputs: Type.Array(Type.Integer({ minimum: -1 }), { description: "Indices of the layers whose outputs this layer takes; -1 is the model's input." }),
  },
  { title: "LayerSummary" },
);

const PerClass = Type.Object({ name: Type.String(), precision: Type.Number(), recall: Type.Number(), f1: Type.Number(), support: Type.Integer() }, { title: "ClassEvaluation" });

export const Evaluation = TaggedBy(
  "task",
  [
    Type.Object(
      {
        task: Type.Literal("classification"),
        samples: Type.Integer(),
        accuracy: Type.Number(),
        macroF1: Type.Number({ description: "Mean F1 over the classes that occur." }),
        logLoss: Type.Number(),
        rocAuc: Type.Union([Type.Number(), Type.Null()], { description: "Two classes only." }),
        perClass: Type.Array(PerClass),
        confusion: Type.Optional(Type.Array(Type.Array(Type.Integer()), { description: "confusion[true][predicted]; absent above 100 classes." })),
      },
      { title: "ClassificationEvaluation" },
    ),
    Type.Object(
      { task: Type.Literal("regression"), samples: Type.Integer(), mae: Type.Number(), rmse: Type.Number(), r2: Type.Number({ description: "1 - SS_res / SS_tot." }) },
      { title: "RegressionEvaluation" },
    ),
  ],
  { title: "Evaluation", description: "Metrics of a model on labelled samples, in the label's units." },
);
export type EvaluationView = Static<typeof Evaluation>;

export const ModelMetrics = Type.Object(
  {
    loss: Type.Number({ description: "Training loss of the kept epoch." }),
    accuracy: Type.Optional(Type.Number()),
    valLoss: Type.Optional(Type.Number()),
    valAccuracy: Type.Optional(Type.Number()),
    mae: Type.Optional(Type.Number({ description: "Regression: mean absolute error of the kept epoch on the training rows, in the label's units." })),
    valMae: Type.Optional(Type.Number()),
    epochs: Type.Integer({ description: "Epochs trained." }),
    keptEpoch: Type.Integer({ description: "The epoch whose weights the model has (early stopping with restoreBestWeights keeps the best)." }),
    stopped: Type.Enum(["completed", "earlyStopping", "cancelled"]),
    augmentation: Type.Optional(Type.Array(Type.String(), { description: "The augmentation transforms that ran on training batches." })),
    classMetrics: Type.Optional(
      Type.Object({
        on: Type.Enum(["validation", "training"], { description: "Computed on the validation data when there is some." }),
        confusionMatrix: Type.Optional(Type.Array(Type.Array(Type.Integer()), { description: "confusionMatrix[trueClass][predictedClass] = count; absent above 100 classes." })),
        precision: Type.Array(Type.Number()),
        recall: Type.Array(Type.Number()),
      }),
    ),
    test: Type.Optional(Type.Union([Evaluation], { description: "On the job's test rows (training.testSplit), held out of training and validation." })),
  },
  { title: "ModelMetrics", additionalProperties: true },
);

export const Lineage = Type.Object(
  {
    baseModelId: Type.String(),
    keptLayers: Type.Integer(),
    droppedLayers: Type.Integer(),
    addedLayers: Type.Integer(),
    frozenLayers: Type.Integer(),
  },
  { title: "Lineage" },
);

export const WeightManifest = Type.Array(
  Type.Object({ name: Type.String(), shape: Type.Array(Type.Integer()), offset: Type.Integer({ description: "In float32 elements." }) }, { title: "WeightEntry" }),
  { description: "Where each tensor sits in GET /v1/models/{id}/weights." },
);

const MissingHandling = Type.Object(
  { strategy: Type.String(), fill: Type.Union([Type.Number(), Type.String(), Type.Null()]), indicator: Type.Boolean(), seen: Type.Integer({ description: "Missing values among the training rows." }) },
  { title: "MissingHandling" },
);

/** The feature pipeline stored with a model trained on a table (src/features: FittedPipeline). */
export const FittedPipeline = Type.Object(
  {
    format: Type.Literal("descent-feature-pipeline"),
    version: Type.Integer(),
    label: Type.Object(
      {
        column: Type.String(),
        task: Type.Enum(["classification", "regression"]),
        classNames: Type.Optional(Type.Array(Type.String())),
        classCounts: Type.Optional(Type.Array(Type.Integer())),
        scaling: Type.Optional(Type.Object({ kind: Type.String(), mean: Type.Optional(Type.Number()), std: Type.Optional(Type.Number()) })),
        stats: Type.Optional(Type.Object({ min: Type.Number(), max: Type.Number(), mean: Type.Number(), std: Type.Number() })),
      },
      { title: "PipelineLabel" },
    ),
    features: Type.Array(
      Type.Object(
        {
          column: Type.String(),
          type: Type.Enum(["number", "category", "binary", "date", "datetime", "text"]),
          offset: Type.Integer({ description: "The feature's first column in the model's input." }),
          width: Type.Integer(),
          missing: MissingHandling,
          scaling: Type.Optional(Type.Object({ kind: Type.String(), mean: Type.Optional(Type.Number()), std: Type.Optional(Type.Number()), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) })),
          categories: Type.Optional(Type.Array(Type.String())),
          encoding: Type.Optional(Type.Literal("ids", { description: "Categories as one column of ids (1 + index in categories; 0: any other value), not one-hot." })),
          other: Type.Optional(Type.Boolean()),
          negative: Type.Optional(Type.String()),
          positive: Type.Optional(Type.String()),
          year: Type.Optional(Type.Object({ mean: Type.Number(), std: Type.Number() })),
          buckets: Type.Optional(Type.Integer()),
        },
        { title: "PipelineFeature", description: "How one column becomes features, with the statistics of the training rows." },
      ),
    ),
    width: Type.Integer({ description: "The model's input size." }),
    outputs: Type.Array(Type.Object({ name: Type.String(), column: Type.String(), encoding: Type.String(), value: Type.Optional(Type.String()) }, { title: "PipelineOutput" }), {
      description: "Every column of the model's input: where it comes from and how.",
    }),
    ignored: Type.Array(Type.Object({ column: Type.String(), reason: Type.String() })),
    training: Type.Object({
      rows: Type.Integer(),
      kept: Type.Integer(),
      dropped: Type.Object({ missingLabel: Type.Integer(), unknownLabel: Type.Integer(), missingValue: Type.Record(Type.String(), Type.Integer()) }),
    }),
    timeSeries: Type.Optional(
      Type.Object(
        { window: Type.Integer(), horizon: Type.Integer(), stride: Type.Integer(), pastLabel: Type.Boolean() },
        { title: "PipelineTimeSeries", description: "The model reads windows of `window` consecutive rows (see TimeSeries in the training config); predict with rows answers one forecast per row from the window-th on." },
      ),
    ),
    missingMarkers: Type.Optional(
      Type.Array(Type.String(), {
        description: "The cells that mean no value in the rows the model reads (compared trimmed and case-insensitively; an empty cell always does), as the dataset's upload chose them with ?missing=. Absent: the default markers.",
      }),
    ),
    dateOrder: Type.Optional(Type.Enum(["mdy", "dmy"], { description: "How N/N/YYYY dates in the rows the model reads are read (the dataset's ?dateOrder=). Absent: they are not dates." })),
    decimal: Type.Optional(Type.Literal(",", { description: 'The table\'s numbers were written with a decimal comma: a text cell such as "12,5" in the rows the model reads is 12.5. Absent: ".".' })),
  },
  {
    title: "FittedPipeline",
    description: "Tables: how raw rows become the model's inputs, fitted on the training rows only.",
    examples: [
      {
        format: "descent-feature-pipeline",
        version: 1,
        label: { column: "Species", task: "classification", classNames: ["Adelie", "Gentoo"], classCounts: [120, 100] },
        features: [
          { column: "Beak Length (mm)", type: "number", offset: 0, width: 2, missing: { strategy: "mean", fill: 43.9, indicator: true, seen: 2 }, scaling: { kind: "standard", mean: 43.9, std: 5.4 } },
          { column: "Island", type: "category", offset: 2, width: 3, missing: { strategy: "mostFrequent", fill: "Biscoe", indicator: false, seen: 0 }, categories: ["Biscoe", "Dream", "Torgersen"], other: false },
        ],
        width: 5,
        outputs: [
          { name: "Beak Length (mm)", column: "Beak Length (mm)", encoding: "standard" },
          { name: "Beak Length (mm) (missing)", column: "Beak Length (mm)", encoding: "missing" },
          { name: "Island=Biscoe", column: "Island", encoding: "oneHot", value: "Biscoe" },
          { name: "Island=Dream", column: "Island", encoding: "oneHot", value: "Dream" },
          { name: "Island=Torgersen", column: "Island", encoding: "oneHot", value: "Torgersen" },
        ],
        ignored: [],
        training: { rows: 220, kept: 220, dropped: { missingLabel: 0, unknownLabel: 0, missingValue: {} } },
      },
    ],
  },
);

export const TrainedModel = Type.Object(
  {
    id: Type.String(),
    ...LabelViewFields,
    fingerprint: Type.Union([Type.String(), Type.Null()], { description: "Its training job's fingerprint (see Job)." }),
    sourceJobId: Type.String(),
    datasetId: Type.String(),
    spec: ModelSpec,
    layers: Type.Array(LayerSummary),
    parameterCount: Type.Integer(),
    inputShape: Type.Array(Type.Integer()),
    outputSize: Type.Integer(),
    classNames: Type.Array(Type.String()),
    metrics: ModelMetrics,
    lineage: Type.Union(
      [Lineage, Type.Null()],
      { description: "Transfer learning: the model this one started from and what was kept, dropped, added and frozen; null otherwise." },
    ),
    weightManifest: WeightManifest,
    pipeline: Type.Optional(FittedPipeline),
    createdAt: Type.String({ format: "date-time" }),
  },
  {
    title: "Model",
    examples: [
      {
        id: "mdl_01jf3k2m9q8r7s6t5v4w",
        name: "penguins, 2 hidden layers",
        description: "",
        tags: ["tabular"],
        fingerprint: "5d1f0a7c9e3b2a8f4c6d0e1b7a9f3c5e8d2b4a6c0e9f1d3b5a7c9e2f4a6b8d0c",
        sourceJobId: "job_01jf3k2m9q8r7s6t5v4w",
        datasetId: "ds_01jf3k2m9q8r7s6t5v4w",
        spec: { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
        layers: [
          { index: 0, type: "dense", outputShape: [8], parameterCount: 24, flops: 40, frozen: false },
          { index: 1, type: "dense", outputShape: [2], parameterCount: 18, flops: 34, frozen: false },
        ],
        parameterCount: 42,
        inputShape: [2],
        outputSize: 2,
        classNames: ["no", "yes"],
        metrics: { loss: 0.012, accuracy: 1, epochs: 300, keptEpoch: 300, stopped: "completed" },
        lineage: null,
        weightManifest: [
          { name: "layer0/kernel", shape: [2, 8], offset: 0 },
          { name: "layer0/bias", shape: [8], offset: 16 },
          { name: "layer1/kernel", shape: [8, 2], offset: 24 },
          { name: "layer1/bias", shape: [2], offset: 40 },
        ],
        createdAt: "2025-01-01T12:00:00.600Z",
      },
    ],
  },
);
export type TrainedModelView = Static<typeof TrainedModel>;

const Input = Type.Union([Type.Array(Type.Number()), Type.Array(Type.Array(Type.Number())), Type.Array(Type.Array(Type.Array(Type.Number())))], {
  title: "Input",
  description: "A flat array of the model's input size, or nested arrays shaped as its inputShape.",
});
const RawRow = Type.Record(Type.String({ maxLength: 200 }), Type.Union([Type.Number(), Type.String({ maxLength: 100_000 }), Type.Boolean(), Type.Null()]), { title: "RawRow" });

export const PredictInput = Union(
  [
    Type.Object({ inputs: Type.Array(Input, { minItems: 1, maxItems: 10_000, description: "One entry per sample." }) }, { additionalProperties: false, title: "PredictInputs" }),
    Type.Object(
      { rows: Type.Array(RawRow, { minItems: 1, maxItems: 10_000, description: "Raw rows, as in the table the model was trained on: {column: value}." }) },
      { additionalProperties: false, title: "PredictRows", description: "Models trained on a table: rows go through its feature pipeline (missing and unseen values as in training; other columns ignored)." },
    ),
  ],
  { title: "PredictInput", examples: [{ inputs: [[5.1, 3.5, 1.4, 0.2]] }] },
);
export type PredictInputView = Static<typeof PredictInput>;

export const EvaluateInput = Union(
  [
    Type.Object({ datasetId: Type.String({ minLength: 1, maxLength: 64, description: "A dataset of the project (a table for a model trained on a table)." }) }, { additionalProperties: false, title: "EvaluateOnDataset" }),
    Type.Object(
      { rows: Type.Array(RawRow, { minItems: 1, maxItems: 100_000, description: "Raw rows with the label column (models trained on a table)." }) },
      { additionalProperties: false, title: "EvaluateOnRows" },
    ),
  ],
  { title: "EvaluateInput", examples: [{ datasetId: "ds_01jf3k2m9q8r7s6t5v4w" }] },
);
export type EvaluateInputView = Static<typeof EvaluateInput>;

export const EvaluationResult = Type.Intersect([Evaluation, Type.Object({ dropped: Type.Object({ missingLabel: Type.Integer(), unknownLabel: Type.Integer(), missingValue: Type.Record(Type.String(), Type.Integer()) }, { description: "Rows left out: no label, a class the model does not know, a value it cannot fill in." }) })], {
  title: "EvaluationResult",
  examples: [{ task: "classification", samples: 69, accuracy: 0.986, macroF1: 0.988, logLoss: 0.05, rocAuc: null, perClass: [{ name: "Adelie", precision: 1, recall: 0.97, f1: 0.98, support: 30 }], confusion: [[29, 1], [0, 39]], dropped: { missingLabel: 0, unknownLabel: 0, missingValue: {} } }],
});

export const Prediction = Type.Object(
  {
    outputs: Type.Array(Type.Array(Type.Number())),
    classes: Type.Optional(Type.Array(Type.Integer(), { description: "Index of the highest output, for classifiers." })),
    classNames: Type.Optional(Type.Array(Type.String(), { description: "Name of the predicted class, when the dataset named them." })),
    probabilities: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Number()), { description: "Classifiers: each class's probability, by class name." })),
    values: Type.Optional(Type.Array(Type.Number(), { description: "Regression: the prediction in the label's units." })),
  },
  { title: "Prediction", examples: [{ outputs: [[0.97, 0.02, 0.01]], classes: [0], classNames: ["setosa"] }] },
);
