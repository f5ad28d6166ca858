import { describe, expect, it } from "vitest";
import {
  checkTransferFitsData,
  createModel,
  createTransferModel,
  exportWeights,
  fit,
  transferSpec,
  type ModelSpec,
  type TrainingConfig,
  type TrainingData,
} from "../../src/engine/index.js";
import { asNetwork, type NeuralNetwork } from "../../src/engine/model.js";
import { Tensor } from "../../src/engine/tensor.js";
import { accuracyOf, mnistSplit } from "./helpers/datasets.js";
import { specError } from "./helpers/spec-error.js";

const base: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv2d", filters: 8, kernelSize: 3, activation: "relu", kernelInitializer: "heNormal" },
    { type: "batchNorm" },
    { type: "maxPool2d", poolSize: 2 },
    { type: "dropout", rate: 0.1 },
    { type: "flatten" },
    { type: "dense", units: 5, activation: "softmax" },
  ],
};
const head = [{ type: "dense" as const, units: 5, activation: "softmax" as const }];

/** The digits from `first` to first + 4, relabelled 0..4. */
function digits(data: TrainingData, first: number, limit: number): TrainingData {
  const rows: number[] = [];
  for (let i = 0; i < data.numSamples && rows.length < limit; i++) if (data.y[i] >= first && data.y[i] < first + 5) rows.push(i);
  const x = new Float32Array(rows.length * 784);
  rows.forEach((row, r) => x.set(data.x.subarray(row * 784, (row + 1) * 784), r * 784));
  return { x, y: Float32Array.from(rows, (row) => data.y[row] - first), numSamples: rows.length };
}


const weightsOf = (model: NeuralNetwork, layers: (layer: number) => boolean) => model.weights.filter((w) => layers(w.layer)).map((w) => ({ name: w.name, values: w.tensor.data.slice() }));

describe("transfer learning", () => {
  it("a frozen base trained on digits 0-4 stays bit-identical; the new head learns 5-9 faster than the same model from scratch", async () => {
    const { train, test } = mnistSplit(8000, 2000, 5);
    const config: TrainingConfig = { epochs: 2, batchSize: 32, seed: 5, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 3e-3 } };
    const baseModel = createModel(base, 5);
    await fit(baseModel, digits(train, 0, 3000), config);
    const stored = { spec: base, ...exportWeights(baseModel) };

    const { spec, model, lineage } = createTransferModel(stored, { dropLayers: 1, addLayers: head, freeze: "base" }, 6);
    expect(lineage).toEqual({ keptLayers: 5, droppedLayers: 1, addedLayers: 1, frozenLayers: 5 });
    expect(spec.frozenLayers).toBe(5);
    expect(spec.layers.map((l) => l.type)).toEqual(["conv2d", "batchNorm", "maxPool2d", "dropout", "flatten", "dense"]);
    const network = asNetwork(model);
    const keptBefore = weightsOf(network, (layer) => layer < 5);
    expect(keptBefore.map((w) => w.values)).toEqual(weightsOf(asNetwork(baseModel), (layer) => layer < 5).map((w) => w.values));
    const headBefore = weightsOf(network, (layer) => layer === 5);

    const fewDigits = digits(train, 5, 400);
    const heldOut = digits(test, 5, 1000);
    // AdamW: its weight decay must not touch the frozen weights either.
    const oneEpoch: TrainingConfig = { ...config, epochs: 1, seed: 6, optimizer: { type: "adamw", learningRate: 3e-3, weightDecay: 0.05 } };
    await fit(model, fewDigits, oneEpoch);
    expect(weightsOf(network, (layer) => layer < 5)).toEqual(keptBefore); // kernel, bias, gamma, beta and the running statistics
    const headAfter = weightsOf(network, (layer) => layer === 5);
    expect(headAfter[0].values).not.toEqual(headBefore[0].values);

    const scratch = createModel({ inputShape: base.inputShape, layers: spec.layers }, 6);
    await fit(scratch, fewDigits, oneEpoch);
    const transferred = accuracyOf(model.predict(heldOut.x, heldOut.numSamples), heldOut.y, 5);
    const fromScratch = accuracyOf(scratch.predict(heldOut.x, heldOut.numSamples), heldOut.y, 5);
    expect(transferred).toBeGreaterThan(fromScratch);

    // A later job unfreezes everything and fine-tunes at a lower rate: now every layer moves.
    const fineTune = createTransferModel({ spec, ...exportWeights(model) }, { freeze: 0 }, 7);
    expect(fineTune.spec.frozenLayers).toBeUndefined();
    await fit(fineTune.model, fewDigits, { ...oneEpoch, optimizer: { type: "adam", learningRate: 1e-4 } });
    expect(weightsOf(asNetwork(fineTune.model), (layer) => layer === 0)[0].values).not.toEqual(keptBefore[0].values);
  }, 60_000);

  it("frozen dropout still drops in training; frozen batchNorm normalises with its running statistics", () => {
    const network = asNetwork(createModel({ inputShape: [200], layers: [{ type: "batchNorm" }, { type: "dropout", rate: 0.5 }, { type: "dense", units: 2 }], frozenLayers: 2 }, 1));
    const x = Tensor.leaf(new Float32Array(400).fill(3), [2, 200]);
    const out = network.buildForward(x, false);
    const dropped = out.inputs[0];
    network.context.training = true;
    for (const node of [dropped.inputs[0], dropped]) node.forwardFn!();
    const zeros = dropped.data.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(100);
    expect(zeros).toBeLessThan(300);
    // Running statistics are 0 and 1: frozen, batchNorm passes 3 / sqrt(1 + epsilon) whatever the batch's own statistics.
    expect(dropped.inputs[0].data[0]).toBeCloseTo(3 / Math.sqrt(1.001), 5);
    expect(network.trainableWeights).toHaveLength(2); // the dense layer's kernel and bias only
  });

  it("checks the combined spec, pointing errors in the new layers at /model/addLayers", () => {
    const conv = { inputShape: [28, 28, 1], layers: base.layers.slice(0, 3) } satisfies ModelSpec;
    let error = specError(() => transferSpec(conv, { addLayers: [{ type: "dense", units: 10 }] }));
    expect(error.path).toBe("/model/addLayers/0");
    expect(error.message).toMatch(/^addLayers\/0 \(layer 3 of the new model, dense\): input has shape \[13, 13, 8\].*flatten/);
    error = specError(() => transferSpec(base, { dropLayers: 1, addLayers: [{ type: "dropout", rate: 0.1 }, { type: "dense", units: 0 }] }));
    expect(error.path).toBe("/model/addLayers/1/units");
    expect(specError(() => transferSpec(base, { dropLayers: 6 })).path).toBe("/model/dropLayers");
    expect(specError(() => transferSpec(base, { dropLayers: 1, addLayers: head, freeze: 7 })).path).toBe("/model/freeze");
    const training: TrainingConfig = { epochs: 1, batchSize: 8, seed: 0, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } };
    error = specError(() => checkTransferFitsData(base, { dropLayers: 1, addLayers: head }, training, { numFeatures: 784, numClasses: 10, numSamples: 50 }));
    expect(error.path).toBe("/model/addLayers/0/units");
    expect(checkTransferFitsData(base, { dropLayers: 1, addLayers: [{ type: "dense", units: 10, activation: "softmax" }], freeze: "base" }, training, { numFeatures: 784, numClasses: 10, numSamples: 50 })).toHaveLength(6);
  });

  it("works on graph models: drops and freezes by name, new layers may take kept layers by name, and the kept weights carry over", () => {
    const graph: ModelSpec = {
      inputShape: [6],
      layers: [
        { type: "dense", units: 8, activation: "relu", name: "stem" },
        { type: "dense", units: 8, activation: "tanh", name: "branch" },
        { type: "add", inputs: ["stem", "branch"], name: "features" },
        { type: "dense", units: 3, activation: "softmax", name: "head" },
      ],
    };
    const baseModel = createModel(graph, 3);
    const addLayers: ModelSpec["layers"] = [{ type: "concatenate", inputs: ["features", "stem"] }, { type: "dense", units: 2, activation: "softmax" }];
    const { spec, model, lineage } = createTransferModel({ spec: graph, ...exportWeights(baseModel) }, { dropLayers: "head", addLayers, freeze: "branch" }, 9);
    expect(lineage).toEqual({ keptLayers: 3, droppedLayers: 1, addedLayers: 2, frozenLayers: 2 });
    expect(spec.layers.map((l) => l.type)).toEqual(["dense", "dense", "add", "concatenate", "dense"]);
    const kept = asNetwork(model).weights.filter((w) => w.layer < 2);
    kept.forEach((w) => expect(w.tensor.data).toEqual(asNetwork(baseModel).weights.find((b) => b.name === w.name)!.tensor.data));
    expect(kept.every((w) => !w.trainable)).toBe(true);

    expect(specError(() => transferSpec(graph, { dropLayers: "nope" })).message).toMatch(/no layer named "nope"; its named layers are "stem", "branch", "features", "head"/);
    expect(specError(() => transferSpec(graph, { dropLayers: "stem" })).path).toBe("/model/dropLayers");
    const frozenDropped = specError(() => transferSpec(graph, { dropLayers: 1, freeze: "head" }));
    expect([frozenDropped.path, frozenDropped.message]).toEqual(["/model/freeze", expect.stringMatching(/"head" is a dropped layer/)]);
    const unknownInput = specError(() => transferSpec(graph, { dropLayers: 1, addLayers: [{ type: "dense", units: 2, inputs: ["head"] }] }));
    expect([unknownInput.path, unknownInput.message]).toEqual(["/model/addLayers/0/inputs/0", expect.stringMatching(/no layer is named "head"/)]);
    // Dropping the add leaves the stem's output unused: the fault is in dropLayers.
    const wide: ModelSpec = { ...graph, layers: [graph.layers[0], { ...graph.layers[1], inputs: ["input"] }, ...graph.layers.slice(2)] };
    const unused = specError(() => transferSpec(wide, { dropLayers: 2 }));
    expect([unused.path, unused.message]).toEqual(["/model/dropLayers", expect.stringMatching(/^dropping the last 2 layers leaves layer 0 \(dense\): no later layer takes/)]);
  });

  it("refuses stored weights that do not match the base spec", () => {
    const other = createModel({ ...base, layers: [{ type: "conv2d", filters: 4, kernelSize: 3 }, ...base.layers.slice(1)] }, 1);
    expect(() => createTransferModel({ spec: base, ...exportWeights(other) }, { dropLayers: 1, addLayers: head }, 1)).toThrow(/layer0\/conv2d\/kernel is \[3, 3, 1, 4\]/);
  });
});
