import { describe, expect, it } from "vitest";
import { checkSpecFitsData, createModel, summarizeModel, type ModelSpec } from "../../src/engine/index.js";
import { specError } from "./helpers/spec-error.js";


const cnn: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv2d", filters: 8, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "maxPool2d", poolSize: 2 },
    { type: "conv2d", filters: 16, kernelSize: [3, 5], strides: 2 },
    { type: "batchNorm" },
    { type: "avgPool2d", poolSize: 2, strides: 1, padding: "same" },
    { type: "flatten" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

describe("shape inference for image layers", () => {
  it("infers conv2d, pooling, batchNorm (per channel) and flatten shapes and parameter counts", () => {
    expect(summarizeModel(cnn)).toEqual([
      { index: 0, type: "conv2d", outputShape: [28, 28, 8], parameterCount: 3 * 3 * 1 * 8 + 8, flops: 2 * (3 * 3 * 1 * 8) * 28 * 28 + 28 * 28 * 8, inputs: [-1] },
      { index: 1, type: "maxPool2d", outputShape: [14, 14, 8], parameterCount: 0, flops: 14 * 14 * 8 * 2 * 2, inputs: [0] },
      // valid, stride 2: floor((14 - 3) / 2) + 1 = 6, floor((14 - 5) / 2) + 1 = 5
      { index: 2, type: "conv2d", outputShape: [6, 5, 16], parameterCount: 3 * 5 * 8 * 16 + 16, flops: 2 * (3 * 5 * 8 * 16) * 6 * 5 + 480, inputs: [1] },
      { index: 3, type: "batchNorm", outputShape: [6, 5, 16], parameterCount: 4 * 16, flops: 4 * 480, inputs: [2] },
      { index: 4, type: "avgPool2d", outputShape: [6, 5, 16], parameterCount: 0, flops: 480 * 2 * 2, inputs: [3] },
      { index: 5, type: "flatten", outputShape: [480], parameterCount: 0, flops: 0, inputs: [4] },
      { index: 6, type: "dense", outputShape: [10], parameterCount: 4810, flops: 2 * 480 * 10 + 10, inputs: [5] },
    ]);
    expect(summarizeModel({ inputShape: [7, 7, 3], layers: [{ type: "conv2d", filters: 4, kernelSize: 3, strides: 2, padding: "same" }, { type: "globalAveragePooling2d" }] })).toEqual([
      { index: 0, type: "conv2d", outputShape: [4, 4, 4], parameterCount: 112, flops: 2 * (3 * 3 * 3 * 4) * 4 * 4 + 64, inputs: [-1] },
      { index: 1, type: "globalAveragePooling2d", outputShape: [4], parameterCount: 0, flops: 4 * 64, inputs: [0] },
    ]);
    expect(checkSpecFitsData(cnn, { epochs: 1, batchSize: 8, seed: 0, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } }, { numFeatures: 784, numClasses: 10, numSamples: 100 })).toHaveLength(7);
  });

  it("refuses dense on an image and suggests flatten", () => {
    const error = specError(() => summarizeModel({ inputShape: [28, 28, 1], layers: [{ type: "conv2d", filters: 2, kernelSize: 3 }, { type: "dense", units: 10 }] }));
    expect(error.path).toBe("/model/layers/1");
    expect(error.layerIndex).toBe(1);
    expect(error.message).toMatch(/layer 1 \(dense\): input has shape \[26, 26, 2\].*flatten/);
  });

  it("names the layer and field of invalid image layers", () => {
    const image = [8, 8, 1];
    const pathOf = (spec: ModelSpec) => specError(() => summarizeModel(spec)).path;
    expect(pathOf({ inputShape: [64], layers: [{ type: "conv2d", filters: 2, kernelSize: 3 }] })).toBe("/model/layers/0");
    expect(pathOf({ inputShape: image, layers: [{ type: "conv2d", filters: 0, kernelSize: 3 }] })).toBe("/model/layers/0/filters");
    expect(pathOf({ inputShape: image, layers: [{ type: "conv2d", filters: 2, kernelSize: [3, 0] }] })).toBe("/model/layers/0/kernelSize");
    expect(pathOf({ inputShape: image, layers: [{ type: "conv2d", filters: 2, kernelSize: 9 }] })).toBe("/model/layers/0/kernelSize");
    expect(pathOf({ inputShape: image, layers: [{ type: "conv2d", filters: 2, kernelSize: 3, strides: 1.5 }] })).toBe("/model/layers/0/strides");
    expect(pathOf({ inputShape: image, layers: [{ type: "conv2d", filters: 2, kernelSize: 3, padding: "full" as never }] })).toBe("/model/layers/0/padding");
    expect(pathOf({ inputShape: image, layers: [{ type: "maxPool2d", poolSize: 2, dilation: 2 } as never] })).toBe("/model/layers/0/dilation");
    expect(pathOf({ inputShape: image, layers: [{ type: "flatten" }, { type: "avgPool2d", poolSize: 2 }] })).toBe("/model/layers/1");
    expect(pathOf({ inputShape: [64], layers: [{ type: "globalAveragePooling2d" }] })).toBe("/model/layers/0");
    expect(pathOf({ inputShape: image, layers: [{ type: "flatten" }], frozenLayers: 2 })).toBe("/model/frozenLayers");
    // The kernel does not fit with valid padding, but does with same.
    expect(summarizeModel({ inputShape: [2, 2, 1], layers: [{ type: "conv2d", filters: 1, kernelSize: 3, padding: "same" }] })[0].outputShape).toEqual([2, 2, 1]);
  });

  it("predicts on image inputs given flat, one sample after another", () => {
    const model = createModel(cnn, 1);
    const x = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 7) / 7);
    const out = model.predict(x, 3);
    expect(out).toHaveLength(30);
    for (let r = 0; r < 3; r++) expect(out.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
