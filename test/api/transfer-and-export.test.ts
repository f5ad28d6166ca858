import * as tf from "@tensorflow/tfjs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Images, augmentation, transfer learning and the TensorFlow.js export,
// through the API and the worker's runner.

let ctx: TestContext;
let base: string;

/** 8x8 one-channel images: class k is bright in band k (of `classes` vertical bands), plus seeded noise. */
function images(count: number, classes: number, seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const pixels: number[] = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) pixels.push((Math.floor((x * classes) / 8) === label ? 0.8 : 0.1) + random() * 0.2);
    features.push(pixels);
    labels.push(label);
  }
  return { features, labels, inputShape: [8, 8, 1] };
}

async function train(body: object) {
  const res = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: body });
  expect(res.statusCode, res.body).toBe(202);
  const outcome = await createTrainingRunner({ db: ctx.db }).run(res.json().id, { lastDelivery: true });
  if (outcome.status !== "succeeded") throw new Error(JSON.stringify(outcome));
  return (await ctx.app.inject({ url: `/v1/models/${outcome.modelId}` })).json();
}

const cnn = {
  inputShape: [8, 8, 1],
  layers: [
    { type: "conv2d", filters: 4, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "maxPool2d", poolSize: 2 },
    { type: "flatten" },
    { type: "dense", units: 16, activation: "relu" },
    { type: "dense", units: 2, activation: "softmax" },
  ],
};
const training = { epochs: 4, batchSize: 16, seed: 3, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } };

let baseModel: any;
let twoClass: string;
let threeClass: string;

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "1000" } });
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  twoClass = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: images(96, 2, 1) })).json().id;
  threeClass = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: images(96, 3, 2) })).json().id;
  baseModel = await train({ datasetId: twoClass, model: cnn, training: { ...training, augmentation: { shift: 1, noise: 0.01 } } });
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

describe("image models", () => {
  it("trains a CNN on a dataset with inputShape [8, 8, 1], and says which augmentation ran", async () => {
    expect(baseModel.layers.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[8, 8, 4], [4, 4, 4], [64], [16], [2]]);
    expect(baseModel.metrics.augmentation).toEqual(["shift", "noise"]);
    expect(baseModel.metrics.accuracy).toBeGreaterThan(0.9);
  });

  it("rejects image augmentation on tabular data, and a dense layer straight on an image, naming the field", async () => {
    const tabular = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1, 2], [3, 4]], labels: ["a", "b"] } })).json().id;
    const flipped = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: tabular, model: { inputShape: [2], layers: [{ type: "dense", units: 2, activation: "softmax" }] }, training: { ...training, batchSize: 2, augmentation: { horizontalFlip: true } } },
    });
    expect(flipped.statusCode).toBe(400);
    expect(flipped.json().errors[0].path).toBe("/training/augmentation/horizontalFlip");
    const dense = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: twoClass, model: { inputShape: [8, 8, 1], layers: [{ type: "dense", units: 2, activation: "softmax" }] }, training },
    });
    expect(dense.statusCode).toBe(400);
    expect(dense.json().errors[0].path).toMatch(/^\/model\/layers\/0/);
    expect(dense.json().detail).toContain("flatten");
  });
});

describe("transfer learning", () => {
  it("keeps the base layers frozen bit for bit, trains the new head, and records the lineage", async () => {
    const model = await train({
      datasetId: threeClass,
      model: { baseModelId: baseModel.id, dropLayers: 1, addLayers: [{ type: "dense", units: 3, activation: "softmax" }], freeze: "base" },
      training: { ...training, epochs: 2 },
    });
    expect(model.lineage).toEqual({ baseModelId: baseModel.id, keptLayers: 4, droppedLayers: 1, addedLayers: 1, frozenLayers: 4 });
    expect(model.layers.map((l: { frozen: boolean }) => l.frozen)).toEqual([true, true, true, true, false]);
    expect(model.spec.frozenLayers).toBe(4);

    const weights = async (m: any) => {
      const bytes = new Uint8Array((await ctx.app.inject({ url: `/v1/models/${m.id}/weights` })).rawPayload);
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return new Map<string, Float32Array>(
        m.weightManifest.map((w: { name: string; shape: number[]; offset: number }) => [w.name, values.slice(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1))]),
      );
    };
    const before = await weights(baseModel);
    const after = await weights(model);
    const kept = [...after.keys()].filter((name) => before.has(name) && !name.startsWith("layer4"));
    expect(kept.length).toBeGreaterThanOrEqual(4);
    for (const name of kept) expect(Buffer.from(after.get(name)!.buffer).equals(Buffer.from(before.get(name)!.buffer)), name).toBe(true);
  });

  it("rejects, before queuing, new layers that do not fit and base models that do not exist", async () => {
    const cases = [
      [{ baseModelId: baseModel.id, dropLayers: 1, addLayers: [{ type: "dense", units: 5, activation: "softmax" }] }, "/model/addLayers/0/units"],
      [{ baseModelId: "mdl_nope", dropLayers: 1, addLayers: [{ type: "dense", units: 3, activation: "softmax" }] }, "/model/baseModelId"],
      [{ baseModelId: baseModel.id, dropLayers: 9 }, "/model/dropLayers"],
    ] as const;
    for (const [model, path] of cases) {
      const before = await ctx.db.trainingJob.count();
      const res = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId: threeClass, model, training } });
      expect(res.statusCode, JSON.stringify(model)).toBe(400);
      expect(res.json().errors[0].path).toBe(path);
      expect(await ctx.db.trainingJob.count()).toBe(before);
    }
  });
});

describe("TensorFlow.js export", () => {
  it("loads with tf.loadLayersModel from descent's URL and predicts what /predict predicts (1e-5) on 100 inputs", async () => {
    const loaded = await tf.loadLayersModel(`${base}/v1/models/${baseModel.id}/tfjs/model.json`);
    const inputs = images(100, 2, 99).features;
    const ours = (await ctx.app.inject({ method: "POST", url: `/v1/models/${baseModel.id}/predict`, payload: { inputs } })).json().outputs as number[][];
    const theirs = (loaded.predict(tf.tensor4d(inputs.flat(), [100, 8, 8, 1])) as tf.Tensor).arraySync() as number[][];
    let worst = 0;
    for (let i = 0; i < 100; i++) for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(ours[i][k] - theirs[i][k]));
    expect(worst).toBeLessThan(1e-5);
    const manifest = (await ctx.app.inject({ url: `/v1/models/${baseModel.id}/tfjs/model.json` })).json().weightsManifest;
    expect(manifest[0].paths).toEqual(["weights.bin"]);
  });
});
