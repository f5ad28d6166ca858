import { Type, type Static } from "typebox";
import { TaggedUnion } from "./union.js";

export const lossNames = [
  "meanSquaredError",
  "meanAbsoluteError",
  "binaryCrossentropy",
  "categoricalCrossentropy",
  "sparseCategoricalCrossentropy",
] as const;
export const optimizerNames = ["sgd", "adam", "adamw", "rmsprop", "adagrad"] as const;

export const OptimizerConfig = Type.Object(
  {
    type: Type.Enum(optimizerNames),
    learningRate: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
    momentum: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: "sgd and rmsprop." })),
    nesterov: Type.Optional(Type.Boolean({ description: "sgd only." })),
    beta1: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    beta2: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    epsilon: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    weightDecay: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    clipNorm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Clip the global gradient norm to this value." })),
    clipValue: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Clip each gradient element to [-clipValue, clipValue]." })),
  },
  { additionalProperties: false, title: "OptimizerConfig" },
);

export const monitoredMetrics = ["loss", "valLoss", "accuracy", "valAccuracy"] as const;
const MonitoredMetric = Type.Enum(monitoredMetrics);
const warmupEpochs = Type.Optional(
  Type.Integer({ minimum: 0, maximum: 1000, description: "Ramp the rate up linearly from 0, batch by batch, over this many first epochs." }),
);
const rate = (description: string) => Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description });

export const LearningRateSchedule = TaggedUnion(
  [
    Type.Object({ type: Type.Literal("constant"), warmupEpochs }, { additionalProperties: false, title: "ConstantSchedule" }),
    Type.Object(
      { type: Type.Literal("step"), stepSize: Type.Integer({ minimum: 1, description: "Epochs between two drops." }), gamma: rate("Factor applied at each drop."), warmupEpochs },
      { additionalProperties: false, title: "StepSchedule", description: "rate x gamma^floor(epoch / stepSize)" },
    ),
    Type.Object(
      { type: Type.Literal("exponential"), gamma: rate("Factor applied every epoch."), warmupEpochs },
      { additionalProperties: false, title: "ExponentialSchedule", description: "rate x gamma^epoch" },
    ),
    Type.Object(
      { type: Type.Literal("cosine"), minLearningRate: Type.Optional(Type.Number({ minimum: 0, description: "Default 0." })), warmupEpochs },
      { additionalProperties: false, title: "CosineSchedule", description: "From the optimizer's rate down to minLearningRate along half a cosine." },
    ),
    Type.Object(
      {
        type: Type.Literal("reduceOnPlateau"),
        monitor: Type.Optional(MonitoredMetric),
        factor: Type.Optional(rate("Multiplies the rate after a plateau. Default 0.1.")),
        patience: Type.Optional(Type.Integer({ minimum: 0, description: "Epochs without improvement before reducing. Default 10." })),
        minDelta: Type.Optional(Type.Number({ minimum: 0 })),
        cooldown: Type.Optional(Type.Integer({ minimum: 0 })),
        minLearningRate: Type.Optional(Type.Number({ minimum: 0 })),
        warmupEpochs,
      },
      { additionalProperties: false, title: "ReduceOnPlateauSchedule" },
    ),
  ],
  { description: "How the learning rate moves from epoch to epoch. Default constant." },
);

export const EarlyStopping = Type.Object(
  {
    monitor: Type.Optional(MonitoredMetric),
    mode: Type.Optional(Type.Enum(["min", "max", "auto"], { description: "auto: max for accuracies, min for losses." })),
    patience: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: "Epochs without improvement before stopping. Default 0." })),
    minDelta: Type.Optional(Type.Number({ minimum: 0, description: "Smallest change that counts as an improvement. Default 0." })),
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
    shift: Type.Optional(Type.Integer({ minimum: 0, maximum: 64, description: "Images: move by up to this many pixels in each direction." })),
    horizontalFlip: Type.Optional(Type.Boolean({ description: "Images: mirror left-right with probability 1/2." })),
    rotation: Type.Optional(Type.Number({ minimum: 0, maximum: 180, description: "Images: rotate by up to this many degrees." })),
    noise: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: "Any data: add gaussian noise of this standard deviation." })),
  },
  {
    additionalProperties: false,
    title: "Augmentation",
    description: "Random transforms of each training batch (never of validation data), seeded. The model's metrics list which ran.",
  },
);

export const TrainingConfig = Type.Object(
  {
    epochs: Type.Integer({ minimum: 1, maximum: 10_000 }),
    batchSize: Type.Integer({ minimum: 1, maximum: 65_536 }),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: "Seeds initialisation, shuffling, splits and dropout. Default 0." })),
    loss: Type.Enum(lossNames),
    optimizer: OptimizerConfig,
    validationSplit: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9, description: "Fraction held out for validation, drawn at random with the seed. 0: none." })),
    shuffle: Type.Optional(Type.Boolean({ default: true })),
    stratify: Type.Optional(Type.Boolean({ description: "Draw the validation split class by class, so each class keeps its share. Default false." })),
    learningRateSchedule: Type.Optional(LearningRateSchedule),
    earlyStopping: Type.Optional(EarlyStopping),
    augmentation: Type.Optional(Augmentation),
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
