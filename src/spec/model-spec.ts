import { Type, type Static } from "typebox";
import { ACTIVATIONS, BOUNDS, INITIALIZERS, MODEL_INPUT, PADDINGS } from "../engine/index.js";
import { bounded } from "./bounds.js";
import { TaggedUnion, Union } from "./union.js";

// The model spec of POST /v1/jobs, built from the engine's names and bounds
// (src/engine/contract.ts): one source for API validation, the OpenAPI
// document and the engine's types (test/api/spec-types.test.ts checks they agree).

// Every layer may be wired into a graph (see LayerWiring in src/engine/types.ts).
const LAYER_NAME_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";
const LayerName = Type.String({ pattern: LAYER_NAME_PATTERN, description: "A layer's name." });
const wiring = {
  name: Type.Optional(Type.String({ pattern: LAYER_NAME_PATTERN, description: "Unique within the model; what other layers' `inputs` refer to." })),
  inputs: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: BOUNDS.mergeInputs.maximum,
      description: `Earlier layers by name, or "${MODEL_INPUT}" (the model's input). Default: the previous layer. add and concatenate take two or more.`,
    }),
  ),
};

const Activation = Type.Enum(ACTIVATIONS, { title: "Activation", description: "Activation applied to the layer's output." });
const Initializer = Type.Enum(INITIALIZERS, { title: "Initializer" });

export const DenseLayer = Type.Object(
  {
    type: Type.Literal("dense"),
    ...wiring,
    units: bounded("units", { description: "Number of output units." }),
    activation: Type.Optional(Activation),
    useBias: Type.Optional(Type.Boolean({ default: true })),
    kernelInitializer: Type.Optional(Initializer),
    biasInitializer: Type.Optional(Initializer),
  },
  { additionalProperties: false, title: "DenseLayer", description: "Fully connected layer: outputs = activation(inputs x kernel + bias)." },
);

export const DropoutLayer = Type.Object(
  {
    type: Type.Literal("dropout"),
    ...wiring,
    rate: bounded("dropoutRate", { description: "Fraction of inputs zeroed during training." }),
  },
  { additionalProperties: false, title: "DropoutLayer", description: "Inverted dropout: active in training, identity at evaluation." },
);

export const BatchNormLayer = Type.Object(
  {
    type: Type.Literal("batchNorm"),
    ...wiring,
    momentum: Type.Optional(bounded("batchNormMomentum", { default: 0.99 })),
    epsilon: Type.Optional(bounded("batchNormEpsilon", { default: 0.001 })),
  },
  { additionalProperties: false, title: "BatchNormLayer", description: "Batch normalisation; running statistics are used at evaluation." },
);

export const EmbeddingLayer = Type.Object(
  {
    type: Type.Literal("embedding"),
    ...wiring,
    inputDim: bounded("vocabulary", { description: "Ids it knows: integers from 0 to inputDim - 1." }),
    outputDim: bounded("units", { description: "Values of each id's vector." }),
  },
  {
    additionalProperties: false,
    title: "EmbeddingLayer",
    description: "A learned vector per integer id: an input of [steps] ids gives [steps, outputDim]. Reads the model's input (first layer, or inputs: [\"input\"]).",
  },
);

export const LayerNormalizationLayer = Type.Object(
  {
    type: Type.Literal("layerNormalization"),
    ...wiring,
    epsilon: Type.Optional(bounded("layerNormEpsilon", { default: 0.001 })),
  },
  { additionalProperties: false, title: "LayerNormalizationLayer", description: "Normalises each sample along its last axis, with a learned scale and shift; the same in training and at evaluation." },
);

export const ActivationLayer = Type.Object(
  { type: Type.Literal("activation"), ...wiring, activation: Activation },
  { additionalProperties: false, title: "ActivationLayer", description: "A standalone activation." },
);

const Size2d = Type.Union([bounded("windowSize"), Type.Tuple([bounded("windowSize"), bounded("windowSize")])], {
  title: "Size2d",
  description: "One size for both axes, or [height, width].",
});
const Padding = Type.Enum(PADDINGS, { title: "Padding", description: "valid (default): no padding; same: output size = ceil(input / stride)." });

export const Conv2dLayer = Type.Object(
  {
    type: Type.Literal("conv2d"),
    ...wiring,
    filters: bounded("filters"),
    kernelSize: Size2d,
    strides: Type.Optional(Size2d),
    padding: Type.Optional(Padding),
    activation: Type.Optional(Activation),
    useBias: Type.Optional(Type.Boolean()),
    kernelInitializer: Type.Optional(Initializer),
    biasInitializer: Type.Optional(Initializer),
  },
  { additionalProperties: false, title: "Conv2dLayer", description: "2-D convolution over [height, width, channels] inputs (channels last)." },
);

const pooling = (type: "maxPool2d" | "avgPool2d", title: string, description: string) =>
  Type.Object(
    {
      type: Type.Literal(type),
      ...wiring,
      poolSize: Size2d,
      strides: Type.Optional(Size2d),
      padding: Type.Optional(Padding),
    },
    { additionalProperties: false, title, description },
  );
export const MaxPool2dLayer = pooling("maxPool2d", "MaxPool2dLayer", "The largest value of each window.");
export const AvgPool2dLayer = pooling("avgPool2d", "AvgPool2dLayer", "The mean of each window (padding not counted).");
export const FlattenLayer = Type.Object({ type: Type.Literal("flatten"), ...wiring }, { additionalProperties: false, title: "FlattenLayer", description: "[h, w, c] -> [h * w * c]." });
export const GlobalAveragePooling2dLayer = Type.Object(
  { type: Type.Literal("globalAveragePooling2d"), ...wiring },
  { additionalProperties: false, title: "GlobalAveragePooling2dLayer", description: "[h, w, c] -> [c]: each channel's mean." },
);

const Steps = bounded("windowSize");

export const Conv1dLayer = Type.Object(
  {
    type: Type.Literal("conv1d"),
    ...wiring,
    filters: bounded("filters"),
    kernelSize: Steps,
    strides: Type.Optional(Steps),
    padding: Type.Optional(Padding),
    dilation: Type.Optional(bounded("windowSize", { description: "Steps between the kernel's taps (default 1); not with strides above 1." })),
    activation: Type.Optional(Activation),
    useBias: Type.Optional(Type.Boolean()),
    kernelInitializer: Type.Optional(Initializer),
    biasInitializer: Type.Optional(Initializer),
  },
  { additionalProperties: false, title: "Conv1dLayer", description: "1-D convolution over [steps, channels] inputs (sequences, time series)." },
);

const pooling1d = (type: "maxPool1d" | "avgPool1d", title: string, description: string) =>
  Type.Object({ type: Type.Literal(type), ...wiring, poolSize: Steps, strides: Type.Optional(Steps), padding: Type.Optional(Padding) }, { additionalProperties: false, title, description });
export const MaxPool1dLayer = pooling1d("maxPool1d", "MaxPool1dLayer", "The largest value of each window of steps.");
export const AvgPool1dLayer = pooling1d("avgPool1d", "AvgPool1dLayer", "The mean of each window of steps (padding not counted).");
export const GlobalAveragePooling1dLayer = Type.Object(
  { type: Type.Literal("globalAveragePooling1d"), ...wiring },
  { additionalProperties: false, title: "GlobalAveragePooling1dLayer", description: "[steps, channels] -> [channels]: each channel's mean." },
);
export const GlobalMaxPooling1dLayer = Type.Object(
  { type: Type.Literal("globalMaxPooling1d"), ...wiring },
  { additionalProperties: false, title: "GlobalMaxPooling1dLayer", description: "[steps, channels] -> [channels]: each channel's largest value." },
);

const recurrent = (type: "lstm" | "gru", title: string, description: string) =>
  Type.Object(
    {
      type: Type.Literal(type),
      ...wiring,
      units: bounded("recurrentUnits", { description: "Size of the hidden state." }),
      returnSequences: Type.Optional(Type.Boolean({ description: "true: every step's hidden state [steps, units] (to stack recurrent layers); false (default): the last step's [units]." })),
      useBias: Type.Optional(Type.Boolean({ default: true })),
    },
    { additionalProperties: false, title, description },
  );
export const LstmLayer = recurrent("lstm", "LstmLayer", "Long short-term memory over [steps, features] (Keras's LSTM: tanh, sigmoid gates, unit forget bias), trained by backpropagation through the whole window.");
export const GruLayer = recurrent("gru", "GruLayer", "Gated recurrent unit over [steps, features] (TensorFlow.js's GRU: tanh, sigmoid gates, reset before the recurrent product).");

export const MultiHeadAttentionLayer = Type.Object(
  {
    type: Type.Literal("multiHeadAttention"),
    ...wiring,
    numHeads: bounded("attentionHeads", { description: "Attention heads." }),
    keyDim: bounded("units", { description: "Size of each head's queries and keys." }),
    valueDim: Type.Optional(bounded("units", { description: "Size of each head's values. Default keyDim." })),
    outputDim: Type.Optional(bounded("units", { description: "Values per step of the output. Default: the input's." })),
    causal: Type.Optional(Type.Boolean({ description: "Step i attends to steps 0..i only (a decoder's mask). Default false." })),
    useBias: Type.Optional(Type.Boolean({ default: true })),
  },
  {
    additionalProperties: false,
    title: "MultiHeadAttentionLayer",
    description: "Self-attention over [steps, dim] (Keras's MultiHeadAttention with query = key = value): per head softmax(Q K^T / sqrt(keyDim)) V, then the output projection. Not exportable to TensorFlow.js (tfjs-layers has no such layer).",
  },
);
export const PositionEmbeddingLayer = Type.Object(
  { type: Type.Literal("positionEmbedding"), ...wiring },
  { additionalProperties: false, title: "PositionEmbeddingLayer", description: "A learned vector per position added to the input: [steps, dim] -> [steps, dim]. Not exportable to TensorFlow.js." },
);

export const SelectColumnsLayer = Type.Object(
  {
    type: Type.Literal("selectColumns"),
    ...wiring,
    indices: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, maxItems: 65_536, description: "Positions of the input's last axis, in the order wanted. Jobs on a table may name columns instead; the job stores the indices they resolve to." }),
    ),
    columns: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 65_536, description: "Jobs on a table: these columns' inputs (every one-hot column of a category, its ids, ...), in this order." }),
    ),
    exceptColumns: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 65_536, description: "Jobs on a table: every input but these columns'." })),
  },
  {
    additionalProperties: false,
    title: "SelectColumnsLayer",
    description: "[..., width] -> [..., indices.length]: picks positions of the last axis, e.g. a category's ids for an embedding and the other columns for dense layers.",
  },
);

export const AddLayer = Type.Object(
  { type: Type.Literal("add"), ...wiring },
  { additionalProperties: false, title: "AddLayer", description: "The element-wise sum of two or more `inputs` of one shape (a residual connection)." },
);
export const ConcatenateLayer = Type.Object(
  { type: Type.Literal("concatenate"), ...wiring },
  { additionalProperties: false, title: "ConcatenateLayer", description: "Two or more `inputs` side by side along their last axis." },
);

export const LayerSpec = TaggedUnion(
  [DenseLayer, DropoutLayer, BatchNormLayer, LayerNormalizationLayer, EmbeddingLayer, ActivationLayer, Conv2dLayer, MaxPool2dLayer, AvgPool2dLayer, FlattenLayer, GlobalAveragePooling2dLayer, Conv1dLayer, MaxPool1dLayer, AvgPool1dLayer, GlobalAveragePooling1dLayer, GlobalMaxPooling1dLayer, LstmLayer, GruLayer, MultiHeadAttentionLayer, PositionEmbeddingLayer, SelectColumnsLayer, AddLayer, ConcatenateLayer],
  { title: "LayerSpec", description: "One layer; `type` selects which. A layer takes the previous layer's output unless `inputs` names others." },
);

export const ModelSpec = Type.Object(
  {
    inputShape: Type.Array(bounded("inputDimension"), {
      minItems: BOUNDS.inputRank.minimum,
      maxItems: BOUNDS.inputRank.maximum,
      description: "Shape of one input sample, e.g. [4] for four features.",
    }),
    layers: Type.Array(LayerSpec, { minItems: BOUNDS.layers.minimum, maxItems: BOUNDS.layers.maximum }),
    frozenLayers: Type.Optional(bounded("frozenLayers", { description: "The first N layers get no updates (set by transfer learning; 0 by default)." })),
  },
  {
    additionalProperties: false,
    title: "ModelSpec",
    examples: [
      {
        inputShape: [4],
        layers: [
          { type: "dense", units: 16, activation: "relu" },
          { type: "dense", units: 3, activation: "softmax" },
        ],
      },
    ],
  },
);

export type ModelSpec = Static<typeof ModelSpec>;

export const TransferSpec = Type.Object(
  {
    baseModelId: Type.String({ minLength: 1, maxLength: 64, description: "A trained model of this project to start from." }),
    dropLayers: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: BOUNDS.layers.maximum - 1 }), LayerName], {
        description: "Layers removed from the end of the base model: a count, or the name of the first layer removed (it and every layer after it go). Default 0.",
      }),
    ),
    addLayers: Type.Optional(Type.Array(LayerSpec, { maxItems: BOUNDS.layers.maximum, description: "New layers after the kept ones, with fresh weights." })),
    freeze: Type.Optional(
      Type.Union([Type.Literal("base"), bounded("frozenLayers"), LayerName], {
        description: '"base": the kept layers get no updates; a number: the first N layers; a kept layer\'s name: it and every layer before it. Default 0 (fine-tune everything).',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: "TransferSpec",
    description: "Transfer learning: start from a stored model. The kept layers come first in the new model.",
    examples: [{ baseModelId: "mdl_01m8hvj91e23emr1d39n", dropLayers: 1, addLayers: [{ type: "dense", units: 5, activation: "softmax" }], freeze: "base" }],
  },
);
export type TransferSpec = Static<typeof TransferSpec>;

/**
 * A job's model: a spec from scratch, or a stored model to start from. Each
 * form refuses the other's fields, so exactly one matches; validation errors
 * come from the form closest to the body (src/api/plugins/validation-errors.ts).
 */
export const JobModel = Union([ModelSpec, TransferSpec], { title: "JobModel", description: "A model from scratch (ModelSpec), or transfer learning from a stored model (TransferSpec)." });

/** A model spec as submitted: inputShape may be left out (the dataset's, or a table's pipeline width, is used). */
export const ModelSpecInput = Type.Object(
  { ...ModelSpec.properties, inputShape: Type.Optional(ModelSpec.properties.inputShape) },
  { additionalProperties: false, title: "ModelSpecInput", description: "A model spec; inputShape defaults to the dataset's (a table's: its feature pipeline's width)." },
);
export type ModelSpecInput = Static<typeof ModelSpecInput>;

/** A job's model as submitted. */
export const JobModelInput = Union([ModelSpecInput, TransferSpec], { title: "JobModelInput", description: "A model from scratch, or transfer learning from a stored model (TransferSpec)." });

export function isTransferSpec(model: ModelSpec | ModelSpecInput | TransferSpec): model is TransferSpec {
  return "baseModelId" in model;
}
