import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";
import { markerTokens, transformerSpec } from "../unit/helpers/sequence-tasks.js";

// A transformer encoder block through the API: token sequences uploaded as
// JSON, the block built from the spec (embedding, positionEmbedding,
// multiHeadAttention, add, layerNormalization, feed-forward), trained,
// predicted on held-out sequences; its TensorFlow.js export is refused with
// the layer named, as tfjs-layers cannot express attention.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const steps = 8;
const vocabulary = 10;
const rows = (x: Float32Array) => Array.from({ length: x.length / steps }, (_, s) => Array.from(x.subarray(s * steps, (s + 1) * steps)));

describe("a transformer block", () => {
  it("learns which of two tokens comes first, predicts held-out sequences, and refuses the tfjs export naming the layer", async () => {
    const train = markerTokens(1500, steps, vocabulary, 120);
    const heldOut = markerTokens(200, steps, vocabulary, 121);
    const dataset = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { name: "token order", features: rows(train.x), labels: Array.from(train.y, (v) => (v === 1 ? "first" : "second")) } });
    expect(dataset.statusCode, dataset.body).toBe(201);
    const { layers } = transformerSpec(steps, vocabulary);
    const submitted = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: dataset.json().id, model: { layers }, training: { epochs: 30, batchSize: 32, seed: 7, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 } } },
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
    const job = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");

    const predicted = await ctx.app.inject({ method: "POST", url: `/v1/models/${job.resultModelId}/predict`, payload: { inputs: rows(heldOut.x) } });
    expect(predicted.statusCode, predicted.body).toBe(200);
    const names: string[] = predicted.json().classNames;
    const accuracy = names.filter((name, i) => name === (heldOut.y[i] === 1 ? "first" : "second")).length / names.length;
    console.info(`API, transformer block, token order on 200 held-out sequences: ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.9);

    const exported = await ctx.app.inject({ url: `/v1/models/${job.resultModelId}/tfjs/model.json` });
    expect(exported.statusCode).toBe(422);
    expect(exported.headers["content-type"]).toContain("application/problem+json");
    expect(exported.json().errors[0]).toMatchObject({ path: "/spec/layers/1", message: expect.stringContaining("positionEmbedding") });
    expect((await ctx.app.inject({ url: `/v1/models/${job.resultModelId}/weights` })).statusCode).toBe(200);
  }, 120_000);

  it("answers 400 with the path for attention that cannot be built", async () => {
    const dataset = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1, 2, 3], [3, 2, 1]], labels: [0, 1] } })).json();
    const submit = (layers: unknown[]) =>
      ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId: dataset.id, model: { layers }, training: { epochs: 1, batchSize: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } } } });
    const flat = await submit([{ type: "multiHeadAttention", numHeads: 2, keyDim: 4 }, { type: "dense", units: 2, activation: "softmax" }]);
    expect(flat.statusCode).toBe(400);
    expect(flat.json().errors[0]).toMatchObject({ path: "/model/layers/0", message: expect.stringContaining("[steps, dim]") });
    const heads = await submit([{ type: "embedding", inputDim: 4, outputDim: 4 }, { type: "multiHeadAttention", numHeads: 100, keyDim: 4 }, { type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }]);
    expect(heads.statusCode).toBe(400);
    expect(heads.json().errors[0].path).toBe("/model/layers/1/numHeads");
  });
});
