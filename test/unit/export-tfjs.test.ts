import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, exportTfjs, fit, type Model, type ModelSpec } from "../../src/engine/index.js";
import { Prng } from "../../src/engine/random.js";
import { fromExport } from "./helpers/tfjs-parity.js";

async function trained(spec: ModelSpec, features: number, classes: number): Promise<Model> {
  const rng = new Prng(3);
  const model = createModel(spec, 4);
  const x = Float32Array.from({ length: 64 * features }, () => rng.nextFloat());
  const y = Float32Array.from({ length: 64 }, () => rng.nextInt(classes));
  // A few steps, so that weights and batchNorm's running statistics are no longer their initial values.
  await fit(model, { x, y, numSamples: 64 }, { epochs: 2, batchSize: 16, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } });
  return model;
}

async function expectSamePredictions(model: Model, loaded: tf.LayersModel, inputShape: number[]): Promise<void> {
  const rng = new Prng(9);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: 100 * size }, () => rng.nextFloat() * 2 - 0.5);
  const ours = model.predict(x, 100);
  const input = tf.tensor(x, [100, ...inputShape]);
  const output = loaded.predict(input) as tf.Tensor;
  const theirs = await output.data();
  input.dispose();
  output.dispose();
  expect(theirs.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  expect(worst).toBeLessThan(1e-5);
}

const cnn: ModelSpec = {
  inputShape: [12, 10, 2],
  layers: [
    { type: "conv2d", filters: 6, kernelSize: 3, padding: "same", activation: "leakyRelu" },
    { type: "batchNorm" },
    { type: "maxPool2d", poolSize: 2 },
    { type: "conv2d", filters: 5, kernelSize: [3, 2], strides: 2, padding: "same", activation: "elu" },
    { type: "avgPool2d", poolSize: 2, strides: 1, padding: "same" },
    { type: "dropout", rate: 0.3 },
    { type: "flatten" },
    { type: "dense", units: 12, activation: "gelu" },
    { type: "activation", activation: "tanh" },
    { type: "dense", units: 7, activation: "leakyRelu" },
    { type: "dense", units: 4, activation: "softmax" },
  ],
  frozenLayers: 1,
};

describe("export to the TensorFlow.js layers format", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("writes a Sequential model.json whose weightsManifest names Keras weights in the layout of weights.bin", async () => {
    const { modelJson, weightsBin } = exportTfjs(createModel(cnn, 1));
    const layers = modelJson.modelTopology.config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(["Conv2D", "LeakyReLU", "BatchNormalization", "MaxPooling2D", "Conv2D", "AveragePooling2D", "Dropout", "Flatten", "Dense", "Activation", "Dense", "LeakyReLU", "Dense"]);
    expect(layers[0].config).toMatchObject({ batch_input_shape: [null, 12, 10, 2], kernel_size: [3, 3], padding: "same", activation: "linear", trainable: false });
    expect(layers[1].config).toMatchObject({ alpha: 0.2 });
    expect(layers[8].config).toMatchObject({ activation: "gelu" });
    const [group] = modelJson.weightsManifest;
    expect(group.paths).toEqual(["weights.bin"]);
    expect(group.weights.slice(0, 6)).toEqual([
      { name: "layer0_conv2d/kernel", shape: [3, 3, 2, 6], dtype: "float32" },
      { name: "layer0_conv2d/bias", shape: [6], dtype: "float32" },
      { name: "layer1_batchNorm/gamma", shape: [6], dtype: "float32" },
      { name: "layer1_batchNorm/beta", shape: [6], dtype: "float32" },
      { name: "layer1_batchNorm/moving_mean", shape: [6], dtype: "float32" },
      { name: "layer1_batchNorm/moving_variance", shape: [6], dtype: "float32" },
    ]);
    const values = group.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(weightsBin.byteLength).toBe(values * 4);
  });

  it("tf.loadLayersModel loads a CNN and predicts what descent predicts on 100 inputs (within 1e-5)", async () => {
    const model = await trained(cnn, 240, 4);
    const loaded = await tf.loadLayersModel(fromExport(exportTfjs(model)));
    expect(loaded.layers[0].trainable).toBe(false);
    await expectSamePredictions(model, loaded, cnn.inputShape);
  });

  it("and an MLP with batchNorm and a rank-2 input, and globalAveragePooling2d", async () => {
    const mlp: ModelSpec = {
      inputShape: [3, 4],
      layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "batchNorm" }, { type: "dense", units: 3, activation: "sigmoid" }, { type: "dense", units: 3, activation: "softmax" }],
    };
    const mlpModel = await trained(mlp, 12, 3);
    await expectSamePredictions(mlpModel, await tf.loadLayersModel(fromExport(exportTfjs(mlpModel))), mlp.inputShape);
    const pooled: ModelSpec = { inputShape: [6, 6, 3], layers: [{ type: "conv2d", filters: 4, kernelSize: 2, activation: "sigmoid" }, { type: "globalAveragePooling2d" }, { type: "dense", units: 2, activation: "softmax" }] };
    const pooledModel = await trained(pooled, 108, 2);
    await expectSamePredictions(pooledModel, await tf.loadLayersModel(fromExport(exportTfjs(pooledModel))), pooled.inputShape);
  });

  it("a graph model exports as a functional Model (InputLayer, Add, Concatenate) that predicts what descent predicts", async () => {
    const graph: ModelSpec = {
      inputShape: [3, 4],
      layers: [
        { type: "dense", units: 6, activation: "leakyRelu", name: "stem" },
        { type: "batchNorm", name: "norm" },
        { type: "dense", units: 6, activation: "tanh", name: "branch" },
        { type: "add", inputs: ["stem", "branch"], name: "res" },
        { type: "flatten", inputs: ["input"], name: "flat" },
        { type: "concatenate", inputs: ["res", "flat", "norm"] },
        { type: "dense", units: 3, activation: "softmax" },
      ],
      frozenLayers: 1,
    };
    const model = await trained(graph, 12, 3);
    const exported = exportTfjs(model);
    expect(exported.modelJson.modelTopology.class_name).toBe("Model");
    const config = exported.modelJson.modelTopology.config as { layers: { class_name: string; name: string; inbound_nodes: unknown[][] }[]; output_layers: unknown[] };
    const byName = new Map(config.layers.map((l) => [l.name, l]));
    expect(config.layers[0]).toMatchObject({ class_name: "InputLayer", name: "input", inbound_nodes: [] });
    // The stem's dense on a rank-2 input gets a Flatten first, its leakyRelu a layer after: the add takes the chain's end.
    expect(byName.get("layer0_dense_flatten")!.inbound_nodes).toEqual([[["input", 0, 0, {}]]]);
    expect(byName.get("layer3_add")!.inbound_nodes).toEqual([[["layer0_dense_leaky_relu", 0, 0, {}], ["layer2_dense", 0, 0, {}]]]);
    expect(byName.get("layer5_concatenate")!.inbound_nodes).toEqual([[["layer3_add", 0, 0, {}], ["layer4_flatten", 0, 0, {}], ["layer1_batchNorm", 0, 0, {}]]]);
    const loaded = await tf.loadLayersModel(fromExport(exported));
    expect(loaded.getLayer("layer0_dense").trainable).toBe(false);
    await expectSamePredictions(model, loaded, graph.inputShape);
  });

  it("loads from URLs too: model.json and weights.bin served side by side", async () => {
    const model = await trained(cnn, 240, 4);
    const { modelJson, weightsBin } = exportTfjs(model);
    const server = createServer((request, response) => {
      if (request.url === "/v1/models/m1/tfjs/model.json") response.end(JSON.stringify(modelJson));
      else if (request.url === "/v1/models/m1/tfjs/weights.bin") response.end(weightsBin);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const loaded = await tf.loadLayersModel(`http://127.0.0.1:${port}/v1/models/m1/tfjs/model.json`);
      await expectSamePredictions(model, loaded, cnn.inputShape);
    } finally {
      server.close();
    }
  });
});
