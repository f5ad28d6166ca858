import { Type, type Static } from "typebox";
import { ModelSpec } from "./model-spec.js";

export const LayerSummary = Type.Object(
  {
    index: Type.Integer(),
    type: Type.String(),
    outputShape: Type.Array(Type.Integer()),
    parameterCount: Type.Integer(),
    flops: Type.Number({ description: "Floating-point operations of this layer's forward pass for one sample (an estimate)." }),
    frozen: Type.Boolean({ description: "Gets no updates in training (transfer learning)." }),
  },
  { title: "LayerSummary" },
);

export const ModelMetrics = Type.Object(
  {
    loss: Type.Number({ description: "Training loss of the kept epoch." }),
    accuracy: Type.Optional(Type.Number()),
    valLoss: Type.Optional(Type.Number()),
    valAccuracy: Type.Optional(Type.Number()),
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

export const TrainedModel = Type.Object(
  {
    id: Type.String(),
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
    createdAt: Type.String({ format: "date-time" }),
  },
  {
    title: "Model",
    examples: [
      {
        id: "mdl_01jf3k2m9q8r7s6t5v4w",
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

export const PredictInput = Type.Object(
  {
    inputs: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 10_000,
      description: "One entry per sample: a flat array of numbers, or nested arrays shaped as the model's inputShape.",
    }),
  },
  { additionalProperties: false, title: "PredictInput", examples: [{ inputs: [[5.1, 3.5, 1.4, 0.2]] }] },
);
export type PredictInput = Static<typeof PredictInput>;

export const Prediction = Type.Object(
  {
    outputs: Type.Array(Type.Array(Type.Number())),
    classes: Type.Optional(Type.Array(Type.Integer(), { description: "Index of the highest output, for classifiers." })),
    classNames: Type.Optional(Type.Array(Type.String(), { description: "Name of the predicted class, when the dataset named them." })),
  },
  { title: "Prediction", examples: [{ outputs: [[0.97, 0.02, 0.01]], classes: [0], classNames: ["setosa"] }] },
);
