import { describe, expect, it } from "vitest";
import { checkSpecFitsData, createModel, summarizeModel, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { specError } from "./helpers/spec-error.js";

const mlp: ModelSpec = {
  inputShape: [784],
  layers: [
    { type: "dense", units: 128, activation: "relu" },
    { type: "dropout", rate: 0.2 },
    { type: "dense", units: 64, activation: "relu" },
    { type: "batchNorm" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};
const training: TrainingConfig = { epochs: 1, batchSize: 32, seed: 0, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } };


describe("shape inference", () => {
  // flops: forward FLOPs per sample, a multiply-add counted 2 (plus bias and activation per output); element-wise layers 4 per value.
  it("summarizes each layer's output shape, parameter count and forward FLOPs", () => {
    expect(summarizeModel(mlp)).toEqual([
      { index: 0, type: "dense", outputShape: [128], parameterCount: 784 * 128 + 128, flops: 2 * 784 * 128 + 128, inputs: [-1] },
      { index: 1, type: "dropout", outputShape: [128], parameterCount: 0, flops: 4 * 128, inputs: [0] },
      { index: 2, type: "dense", outputShape: [64], parameterCount: 128 * 64 + 64, flops: 2 * 128 * 64 + 64, inputs: [1] },
      { index: 3, type: "batchNorm", outputShape: [64], parameterCount: 4 * 64, flops: 4 * 64, inputs: [2] },
      { index: 4, type: "dense", outputShape: [10], parameterCount: 64 * 10 + 10, flops: 2 * 64 * 10 + 10, inputs: [3] },
    ]);
    expect(createModel(mlp, 0).parameterCount).toBe(784 * 128 + 128 + 128 * 64 + 64 + 256 + 650);
  });

  it("names the layer and field of an invalid layer", () => {
    const error = specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "dense", units: 3 }, { type: "dense", units: 0 }] }));
    expect(error.path).toBe("/model/layers/1/units");
    expect(error.layerIndex).toBe(1);
    expect(error.message).toBe("layer 1 (dense): units must be an integer from 1 to 65536, got 0");
  });

  it("rejects unknown layer types, unknown fields, bad rates and activations", () => {
    expect(specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "conv9d" } as never] })).path).toBe("/model/layers/0/type");
    expect(specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "dense", units: 2, size: 3 } as never] })).path).toBe("/model/layers/0/size");
    expect(specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "dropout", rate: 1 }] })).path).toBe("/model/layers/0/rate");
    expect(specError(() => summarizeModel({ inputShape: [4], layers: [{ type: "activation", activation: "swish" } as never] })).path).toBe("/model/layers/0/activation");
    expect(specError(() => summarizeModel({ inputShape: [0], layers: [{ type: "dense", units: 2 }] })).path).toBe("/model/inputShape");
    expect(specError(() => summarizeModel({ inputShape: [4], layers: [] })).path).toBe("/model/layers");
  });
});

describe("checkSpecFitsData", () => {
  const data = { numFeatures: 784, numClasses: 10, numSamples: 1000 };

  it("accepts a spec that fits the dataset", () => {
    expect(checkSpecFitsData(mlp, training, data)).toHaveLength(5);
  });

  it("rejects a wrong input size, naming the shapes", () => {
    const error = specError(() => checkSpecFitsData(mlp, training, { ...data, numFeatures: 4 }));
    expect(error.path).toBe("/model/inputShape");
    expect(error.message).toMatch(/layer 0 \(dense\): expects input of size 784 .* 4 features/);
  });

  it("rejects output units that do not match the classes", () => {
    const error = specError(() => checkSpecFitsData(mlp, training, { ...data, numClasses: 3 }));
    expect(error.path).toBe("/model/layers/4/units");
    expect(error.layerIndex).toBe(4);
    expect(error.message).toBe("layer 4 (dense): outputs 10 values, the dataset has 3 classes");
  });

  it("rejects a loss that does not fit the labels or the final activation", () => {
    expect(specError(() => checkSpecFitsData(mlp, training, { ...data, numClasses: 0 })).path).toBe("/training/loss");
    const linearOutput: ModelSpec = { inputShape: [784], layers: [{ type: "dense", units: 10 }] };
    expect(specError(() => checkSpecFitsData(linearOutput, training, data)).path).toBe("/model/layers/0/activation");
    const regression: ModelSpec = { inputShape: [784], layers: [{ type: "dense", units: 2 }] };
    expect(specError(() => checkSpecFitsData(regression, { ...training, loss: "meanSquaredError" }, { ...data, numClasses: 0 })).path).toBe("/model/layers/0/units");
    expect(checkSpecFitsData({ inputShape: [784], layers: [{ type: "dense", units: 1 }] }, { ...training, loss: "meanSquaredError" }, { ...data, numClasses: 0 })).toHaveLength(1);
  });

  it("rejects bad training fields with their path", () => {
    expect(specError(() => checkSpecFitsData(mlp, { ...training, epochs: 0 }, data)).path).toBe("/training/epochs");
    expect(specError(() => checkSpecFitsData(mlp, { ...training, loss: "hinge" as never }, data)).path).toBe("/training/loss");
    expect(specError(() => checkSpecFitsData(mlp, { ...training, optimizer: { type: "sgd", learningRate: -1 } }, data)).path).toBe("/training/optimizer/learningRate");
    expect(specError(() => checkSpecFitsData(mlp, { ...training, validationSplit: 1 }, data)).path).toBe("/training/validationSplit");
    expect(specError(() => checkSpecFitsData(mlp, { ...training, validationSplit: 0.5 }, { ...data, numSamples: 1 })).path).toBe("/training/validationSplit");
  });
});
