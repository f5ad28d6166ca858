import { Type, type Static } from "typebox";

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

export const TrainingConfig = Type.Object(
  {
    epochs: Type.Integer({ minimum: 1, maximum: 10_000 }),
    batchSize: Type.Integer({ minimum: 1, maximum: 65_536 }),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: "Seeds initialisation, shuffling, splits and dropout. Default 0." })),
    loss: Type.Enum(lossNames),
    optimizer: OptimizerConfig,
    validationSplit: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9, description: "Fraction held out for validation, drawn at random with the seed. 0: none." })),
    shuffle: Type.Optional(Type.Boolean({ default: true })),
  },
  {
    additionalProperties: false,
    title: "TrainingConfig",
    examples: [
      { epochs: 50, batchSize: 16, seed: 42, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 }, validationSplit: 0.2 },
    ],
  },
);

export type TrainingConfig = Static<typeof TrainingConfig>;
