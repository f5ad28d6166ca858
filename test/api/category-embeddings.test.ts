import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../src/engine/random.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// A category with many values (300 stores) through the table pipeline: as
// one-hot it keeps the 50 most frequent stores and lumps the rest together;
// as ids ({"encoding": "ids"}) an embedding learns every store. The model
// picks the store's ids and the other columns by name (selectColumns).

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const stores = 300;
const rng = new Prng(71);
const level = Array.from({ length: stores }, () => rng.nextFloat() * 4 - 2);
const rows = Array.from({ length: 6000 }, () => {
  const store = rng.nextInt(stores);
  const temperature = rng.nextFloat() * 30;
  return { store: `store-${store}`, temperature, sales: level[store] + 0.05 * temperature + (rng.nextFloat() - 0.5) * 0.2 };
});

const training = (extra: Record<string, unknown> = {}) => ({
  epochs: 40,
  batchSize: 64,
  seed: 5,
  loss: "meanSquaredError",
  optimizer: { type: "adam", learningRate: 0.01 },
  validationSplit: 0.1,
  testSplit: 0.2,
  ...extra,
});

const embeddingLayers = (inputDim = stores + 1, column = "store") => [
  { type: "selectColumns", columns: [column], name: "storeId" },
  { type: "embedding", inputDim, outputDim: 8, inputs: ["storeId"] },
  { type: "flatten", name: "storeVector" },
  { type: "selectColumns", exceptColumns: ["store"], inputs: ["input"], name: "others" },
  { type: "concatenate", inputs: ["storeVector", "others"] },
  { type: "dense", units: 32, activation: "relu" },
  { type: "dense", units: 1 },
];

async function train(datasetId: string, model: unknown, extra: Record<string, unknown> = {}) {
  const submitted = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training: training(extra) } });
  expect(submitted.statusCode, submitted.body).toBe(202);
  await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
  const job = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
  expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
  return (await ctx.app.inject({ url: `/v1/models/${job.resultModelId}` })).json();
}

describe("a high-cardinality category as ids for an embedding", () => {
  let datasetId: string;
  beforeAll(async () => {
    const uploaded = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=sales&name=stores", payload: rows });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    datasetId = uploaded.json().id;
    expect(uploaded.json().columns.find((c: { name: string }) => c.name === "store")).toMatchObject({ type: "category" });
  });

  it("learns every store through an embedding, where one-hot keeps 50 of them", async () => {
    const oneHot = await train(datasetId, { layers: [{ type: "dense", units: 32, activation: "relu" }, { type: "dense", units: 1 }] });
    expect(oneHot.pipeline.width).toBe(50 + 1 + 1); // 50 stores, (other), temperature
    const embedded = await train(datasetId, { layers: embeddingLayers() }, { features: { store: { encoding: "ids" } } });
    const store = embedded.pipeline.features.find((f: { column: string }) => f.column === "store");
    expect(store).toMatchObject({ encoding: "ids", width: 1 });
    expect(store.categories).toHaveLength(stores);
    // The stored spec keeps the names and the positions they resolved to: the store's id is input 0, temperature input 1.
    expect(embedded.spec.layers[0]).toMatchObject({ columns: ["store"], indices: [0] });
    expect(embedded.spec.layers[3]).toMatchObject({ exceptColumns: ["store"], indices: [1] });
    console.info(`300 stores, test MAE: one-hot (50 + other) ${oneHot.metrics.test.mae.toFixed(3)}, embedding ${embedded.metrics.test.mae.toFixed(3)}`);
    expect(embedded.metrics.test.mae).toBeLessThan(0.5 * oneHot.metrics.test.mae);
    expect(embedded.metrics.test.mae).toBeLessThan(0.2);

    // Raw rows: a known store gets its own level, an unseen one the shared id 0.
    const predicted = await ctx.app.inject({ method: "POST", url: `/v1/models/${embedded.id}/predict`, payload: { rows: [{ store: "store-7", temperature: 10 }, { store: "store-new", temperature: 10 }] } });
    expect(predicted.statusCode, predicted.body).toBe(200);
    expect(predicted.json().values[0]).toBeCloseTo(level[7] + 0.5, 0);
    const exported = await ctx.app.inject({ url: `/v1/models/${embedded.id}/tfjs/model.json` });
    expect(exported.statusCode).toBe(200);
    expect(exported.json().modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(expect.arrayContaining(["Embedding", "Dense", "Concatenate"]));
  }, 120_000);

  it("answers 400 with the path for selections and embeddings that cannot work", async () => {
    const submit = (layers: unknown[], features: Record<string, unknown> = { store: { encoding: "ids" } }, id = datasetId) =>
      ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId: id, model: { layers }, training: training({ features }) } });
    const errorOf = async (response: Promise<{ statusCode: number; json: () => { errors: { path: string; message: string }[] } }>) => {
      const answer = await response;
      expect(answer.statusCode).toBe(400);
      return answer.json().errors[0];
    };
    expect(await errorOf(submit(embeddingLayers(100)))).toMatchObject({ path: "/model/layers/1/inputDim", message: expect.stringContaining("inputDim must be at least 301") });
    expect(await errorOf(submit(embeddingLayers(stores + 1, "temperature")))).toMatchObject({ path: "/model/layers/1", message: expect.stringContaining("not a category's ids") });
    expect(await errorOf(submit(embeddingLayers(stores + 1, "shop")))).toMatchObject({ path: "/model/layers/0/columns/0", message: expect.stringContaining("store, temperature") });
    // Without encoding ids the store is one-hot: no ids to embed.
    expect((await errorOf(submit(embeddingLayers(), {}))).path).toBe("/model/layers/1");
    expect((await errorOf(submit(embeddingLayers(), { temperature: { encoding: "ids" } }))).path).toBe("/training/features/temperature");
    const matrix = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1, 2], [3, 4]], labels: [0.5, 1.5] } })).json();
    expect((await errorOf(submit(embeddingLayers(), {}, matrix.id))).path).toBe("/model/layers/0/columns");
  });
});
