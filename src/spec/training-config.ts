import { Type, type Static } from "typebox";
import { LOSSES, MONITORED_METRICS, MONITOR_MODES, OPTIMIZERS } from "../engine/index.js";
import { CATEGORY_ENCODINGS, FEATURE_TYPES, INDICATOR_MODES, MAX_CATEGORIES, MAX_HORIZON, MAX_TEXT_BUCKETS, MAX_WINDOW, MISSING_STRATEGIES, SCALINGS } from "../features/index.js";
import { bounded } from "./bounds.js";
import { TaggedUnion } from "./union.js";

// The training config of POST /v1/jobs, built from the engine's names and
// bounds (src/engine/contract.ts).

export const OptimizerConfig = Type.Object(
  {
    type: Type.Enum(OPTIMIZERS),
    learningRate: bounded("learningRate"),
    momentum: Type.Optional(bounded("momentum", { description: "sgd and rmsprop." })),
    nesterov: Type.Optional(Type.Boolean({ description: "sgd only." })),
    beta1: Type.Optional(bounded("beta1")),
    beta2: Type.Optional(bounded("beta2")),
    epsilon: Type.Optional(bounded("epsilon")),
    weightDecay: Type.Optional(bounded("weightDecay")),
    clipNorm: Type.Optional(bounded("clipNorm", { description: "Clip the global gradient norm to this value." })),
    clipValue: Type.Optional(bounded("clipValue", { description: "Clip each gradient element to [-clipValue, clipValue]." })),
  },
  { additionalProperties: false, title: "OptimizerConfig", examples: [{ type: "adam", learningRate: 0.001 }] },
);

const MonitoredMetric = Type.Enum(MONITORED_METRICS, { title: "MonitoredMetric" });
const warmupEpochs = Type.Optional(bounded("warmupEpochs", { description: "Ramp the rate up linearly from 0, batch by batch, over this many first epochs." }));

export const LearningRateSchedule = TaggedUnion(
  [
    Type.Object({ type: Type.Literal("constant"), warmupEpochs }, { additionalProperties: false, title: "ConstantSchedule" }),
    Type.Object(
      { type: Type.Literal("step"), stepSize: bounded("stepSize", { description: "Epochs between two drops." }), gamma: bounded("gamma", { description: "Factor applied at each drop." }), warmupEpochs },
      { additionalProperties: false, title: "StepSchedule", description: "rate x gamma^floor(epoch / stepSize)" },
    ),
    Type.Object(
      { type: Type.Literal("exponential"), gamma: bounded("gamma", { description: "Factor applied every epoch." }), warmupEpochs },
      { additionalProperties: false, title: "ExponentialSchedule", description: "rate x gamma^epoch" },
    ),
    Type.Object(
      { type: Type.Literal("cosine"), minLearningRate: Type.Optional(bounded("minLearningRate", { description: "Default 0." })), warmupEpochs },
      { additionalProperties: false, title: "CosineSchedule", description: "From the optimizer's rate down to minLearningRate along half a cosine." },
    ),
    Type.Object(
      {
        type: Type.Literal("reduceOnPlateau"),
        monitor: Type.Optional(MonitoredMetric),
        factor: Type.Optional(bounded("plateauFactor", { description: "Multiplies the rate after a plateau. Default 0.1." })),
        patience: Type.Optional(bounded("patience", { description: "Epochs without improvement before reducing. Default 10." })),
        minDelta: Type.Optional(bounded("minDelta")),
        cooldown: Type.Optional(bounded("cooldown")),
        minLearningRate: Type.Optional(bounded("minLearningRate")),
        warmupEpochs,
      },
      { additionalProperties: false, title: "ReduceOnPlateauSchedule" },
    ),
  ],
  { title: "LearningRateSchedule", description: "How the learning rate moves from epoch to epoch. Default constant." },
);

export const EarlyStopping = Type.Object(
  {
    monitor: Type.Optional(MonitoredMetric),
    mode: Type.Optional(Type.Enum(MONITOR_MODES, { description: "auto: max for accuracies, min for losses." })),
    patience: Type.Optional(bounded("patience", { description: "Epochs without improvement before stopping. Default 0." })),
    minDelta: Type.Optional(bounded("minDelta", { description: "Smallest change that counts as an improvement. Default 0." })),
    restoreBestWeights: Type.Optional(Type.Boolean({ description: "End with the best epoch's weights (its number is the model's keptEpoch). Default false." })),
  },
  {
    additionalProperties: false,
    title: "EarlyStopping",
    description: "Stop when the monitored metric (default valLoss with validation, else loss) stops improving.",
  },
);

export const Augmentation = Type.Object(
  {
    shift: Type.Optional(bounded("shift", { description: "Images: move by up to this many pixels in each direction." })),
    horizontalFlip: Type.Optional(Type.Boolean({ description: "Images: mirror left-right with probability 1/2." })),
    rotation: Type.Optional(bounded("rotation", { description: "Images: rotate by up to this many degrees." })),
    noise: Type.Optional(bounded("noise", { description: "Any data: add gaussian noise of this standard deviation." })),
  },
  {
    additionalProperties: false,
    title: "Augmentation",
    description: "Random transforms of each training batch (never of validation data), seeded. The model's metrics list which ran.",
  },
);

/** How one column becomes features (tables). */
export const FeatureConfig = Type.Object(
  {
    type: Type.Optional(Type.Enum(FEATURE_TYPES)),
    missing: Type.Optional(Type.Enum(MISSING_STRATEGIES, { description: "How a missing value is filled (dropRow: the row is left out; none: refused)." })),
    fillValue: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 1000 })], { description: "What missing: constant fills in." })),
    missingIndicator: Type.Optional(Type.Enum(INDICATOR_MODES, { description: "A 0/1 column that is 1 where the value was missing (auto: when training rows missed values)." })),
    scaling: Type.Optional(Type.Enum(SCALINGS, { description: "Numbers: standard (default), minmax or none." })),
    minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: "Categories: values seen fewer times in training go to the (other) column." })),
    maxCategories: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CATEGORIES, description: "Categories: one-hot columns at most (with encoding ids: ids at most, default 10,000)." })),
    encoding: Type.Optional(
      Type.Enum(CATEGORY_ENCODINGS, {
        description:
          'Categories: oneHot (default), or ids: one column holding 1 + the value\'s rank by frequency (0: a rare, unseen or missing value), for an embedding layer reading it through selectColumns (inputDim: categories + 1). For columns with many values.',
      }),
    ),
    buckets: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TEXT_BUCKETS, description: "Text: hashed buckets (a power of two)." })),
  },
  { additionalProperties: false, title: "FeatureConfig" },
);

/** The defaults of every column's encoding (tables). */
export const Preprocessing = Type.Object(
  {
    scaling: Type.Optional(Type.Enum(SCALINGS, { description: "Numbers. Default standard (mean and standard deviation of the training rows)." })),
    missingIndicator: Type.Optional(Type.Enum(INDICATOR_MODES, { description: "Default auto." })),
    minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: "Categories. Default 3." })),
    maxCategories: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CATEGORIES, description: "Categories. Default 50." })),
    textBuckets: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TEXT_BUCKETS, description: "Text. Default 256." })),
    targetScaling: Type.Optional(Type.Enum(["none", "standard"], { description: "Regression targets: standard trains on standardized targets; predictions are in the label's units either way. Default none." })),
  },
  { additionalProperties: false, title: "Preprocessing", description: "Tables: how columns become features (see FittedPipeline on the model)." },
);

/** Tables holding a time series: samples are windows of consecutive rows (src/features/time-windows.ts). */
export const TimeSeries = Type.Object(
  {
    window: Type.Integer({ minimum: 1, maximum: MAX_WINDOW, description: "Consecutive rows per sample: the model's input is [window, features]." }),
    horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HORIZON, description: "How many rows after a window's last row its target is. Default 1 (the next row)." })),
    stride: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HORIZON, description: "Rows between the starts of two training windows. Default 1." })),
    pastLabel: Type.Optional(
      Type.Boolean({ description: "Regression: each row of a window also carries its label's value (standardized), the series' own past. Default true for regression; classification: false only." }),
    ),
  },
  {
    additionalProperties: false,
    title: "TimeSeries",
    description:
      "Rows are in time order, as uploaded. The split follows time: training windows have their targets in the first rows, then validation, then test (validationSplit, testSplit); " +
      "no window trains on a target after the split. Predict takes rows (at least window of them) and answers one forecast per row from the window-th on.",
    examples: [{ window: 12, horizon: 1 }],
  },
);

export const TrainingConfig = Type.Object(
  {
    epochs: bounded("epochs"),
    batchSize: bounded("batchSize"),
    seed: Type.Optional(bounded("seed", { description: "Seeds initialisation, shuffling, splits and dropout. Default 0." })),
    loss: Type.Enum(LOSSES, { title: "Loss" }),
    optimizer: OptimizerConfig,
    validationSplit: Type.Optional(bounded("validationSplit", { description: "Fraction held out for validation, drawn at random with the seed. 0: none." })),
    shuffle: Type.Optional(Type.Boolean({ default: true })),
    stratify: Type.Optional(Type.Boolean({ description: "Draw the validation split class by class, so each class keeps its share. Default false." })),
    learningRateSchedule: Type.Optional(LearningRateSchedule),
    earlyStopping: Type.Optional(EarlyStopping),
    augmentation: Type.Optional(Augmentation),
    testSplit: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 0.5,
        description: "Tables: a fraction of the rows held out of training and validation (stratified by class); the model reports its metrics on them (metrics.test).",
      }),
    ),
    features: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Type.Union([Type.Enum(FEATURE_TYPES), FeatureConfig]), {
        description: "Tables: per column, its type, or how to encode it; overrides the upload's types for this job.",
      }),
    ),
    ignore: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 65_536, description: "Tables: columns this job leaves out." })),
    preprocessing: Type.Optional(Preprocessing),
    timeSeries: Type.Optional(TimeSeries),
    classWeight: Type.Optional(
      Type.Union([Type.Literal("balanced"), Type.Record(Type.String({ maxLength: 200 }), Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }), { maxProperties: 10_000 })], {
        description:
          'Class imbalance: "balanced" (each class weighted total / (classes x its count), as scikit-learn) or a weight by class name (others 1). ' +
          "Multiplies each training sample's loss (softmax cross-entropies); validation metrics stay unweighted.",
      }),
    ),
    classWeights: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0 }), { maxItems: 10_000, description: "The weight of each class by index, as resolved from classWeight at submission." }),
    ),
    timeLimitSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "Training time after which the job stops (at the next batch) and fails with TIME_LIMIT_EXCEEDED, keeping its metrics. " +
          "Default and most: the service's MAX_JOB_SECONDS (24 hours unless set).",
      }),
    ),
  },
  {
    additionalProperties: false,
    title: "TrainingConfig",
    examples: [
      { epochs: 50, batchSize: 16, seed: 42, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 }, validationSplit: 0.2 },
      {
        epochs: 100,
        batchSize: 64,
        seed: 7,
        loss: "sparseCategoricalCrossentropy",
        optimizer: { type: "adamw", learningRate: 0.001, weightDecay: 0.01, clipNorm: 1 },
        validationSplit: 0.1,
        stratify: true,
        learningRateSchedule: { type: "cosine", warmupEpochs: 2 },
        earlyStopping: { monitor: "valLoss", patience: 5, minDelta: 0.001, restoreBestWeights: true },
      },
    ],
  },
);

export type TrainingConfig = Static<typeof TrainingConfig>;
