import { Type, type Static } from "typebox";
import { TaggedUnion } from "./union.js";

// The model spec of POST /v1/jobs: one source for API validation, the OpenAPI
// document and the engine's types (test/api/spec-types.test.ts checks they agree).

export const activationNames = ["linear", "relu", "leakyRelu", "elu", "gelu", "sigmoid", "tanh", "softmax"] as const;
export const initializerNames = ["heNormal", "heUniform", "glorotNormal", "glorotUniform", "zeros"] as const;

const Activation = Type.Enum(activationNames, {
  description: "Activation applied to the layer's output.",
});
const Initializer = Type.Enum(initializerNames);

export const DenseLayer = Type.Object(
  {
    type: Type.Literal("dense"),
    units: Type.Integer({ minimum: 1, maximum: 65536, description: "Number of output units." }),
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
    rate: Type.Number({ minimum: 0, exclusiveMaximum: 1, description: "Fraction of inputs zeroed during training." }),
  },
  { additionalProperties: false, title: "DropoutLayer", description: "Inverted dropout: active in training, identity at evaluation." },
);

export const BatchNormLayer = Type.Object(
  {
    type: Type.Literal("batchNorm"),
    momentum: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.99 })),
    epsilon: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 0.001 })),
  },
  { additionalProperties: false, title: "BatchNormLayer", description: "Batch normalisation; running statistics are used at evaluation." },
);

export const ActivationLayer = Type.Object(
  { type: Type.Literal("activation"), activation: Activation },
  { additionalProperties: false, title: "ActivationLayer", description: "A standalone activation." },
);

export const LayerSpec = TaggedUnion([DenseLayer, DropoutLayer, BatchNormLayer, ActivationLayer], {
  description: "One layer; `type` selects which.",
});

export const ModelSpec = Type.Object(
  {
    inputShape: Type.Array(Type.Integer({ minimum: 1 }), {
      minItems: 1,
      maxItems: 3,
      description: "Shape of one input sample, e.g. [4] for four features.",
    }),
    layers: Type.Array(LayerSpec, { minItems: 1, maxItems: 64 }),
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
