import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../src/engine/index.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Embeddings through the API: a dataset of integer ids, a model that looks
// them up, predictions that refuse ids the model does not know.

let ctx: TestContext;
let datasetId: string;

/** Six ids from 0 to 9 per sample; class 1 when id 7 is among them. */
function bags(count: number) {
  const rng = new Prng(53);
  const features = Array.from({ length: count }, () => Array.from({ length: 6 }, () => rng.nextInt(10)));
  return { name: "bags", features, labels: features.map((ids) => (ids.includes(7) ? 1 : 0)) };
}

const model = (inputDim: number) => ({
  layers: [{ type: "embedding", inputDim, outputDim: 8 }, { type: "flatten" }, { type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }],
});
const training = { epochs: 20, batchSize: 25, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } };

beforeAll(async () => {
  ctx = await createTestContext();
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: bags(500) })).json().id;
});
afterAll(async () => ctx?.close());

async function run(inputDim: number) {
  const submitted = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model: model(inputDim), training } });
  expect(submitted.statusCode, submitted.body).toBe(202);
  await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true }).catch(() => undefined);
  return (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
}

describe("embeddings", () => {
  it("train on integer ids and predict; an unknown id is a 400 at its input's path", async () => {
    const job = await run(10);
    expect(job.status).toBe("succeeded");
    const predict = (inputs: number[][]) => ctx.app.inject({ method: "POST", url: `/v1/models/${job.resultModelId}/predict`, payload: { inputs } });
    const answered = await predict([[7, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]]);
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json().classes).toEqual([1, 0]);
    const refused = await predict([[1, 2, 3, 4, 5, 6], [1, 2, 10, 0, 0, 0]]);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([{ path: "/inputs/1/2", message: "10 is not an id of embedding layer 0: ids are integers from 0 to 9" }]);
  });

  it("fails a job whose dataset holds ids the embedding does not know, saying which", async () => {
    const job = await run(7);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "INVALID_DATA", message: expect.stringMatching(/is not an id of embedding layer 0: ids are integers from 0 to 6/) });
  });
});
