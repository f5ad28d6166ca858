import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Names, descriptions and tags on jobs and models: given at submission or by
// PATCH, carried from a job to its model, and filtering the lists.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: [0, 1, 1, 0] } })).json().id;
});
afterAll(async () => ctx?.close());

const body = (labels: object) => ({
  datasetId,
  model: { layers: [{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs: 2, batchSize: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
  ...labels,
});
const inject = (method: "GET" | "POST" | "PATCH", url: string, payload?: object) => ctx.app.inject({ method, url, ...(payload ? { payload } : {}) });

describe("names, descriptions and tags", () => {
  it("are kept on a job, carried to its model, changed by PATCH, and filter the lists", async () => {
    const submitted = await inject("POST", "/v1/jobs", body({ name: "baseline", description: "two epochs of SGD", tags: ["xor", "baseline"] }));
    expect(submitted.statusCode, submitted.body).toBe(202);
    expect(submitted.json()).toMatchObject({ name: "baseline", description: "two epochs of SGD", tags: ["xor", "baseline"] });
    const plain = (await inject("POST", "/v1/jobs", body({}))).json();
    expect(plain).toMatchObject({ name: null, description: "", tags: [] });

    await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
    const job = (await inject("GET", `/v1/jobs/${submitted.json().id}`)).json();
    expect(job).toMatchObject({ status: "succeeded", name: "baseline", tags: ["xor", "baseline"] });
    const model = (await inject("GET", `/v1/models/${job.resultModelId}`)).json();
    expect(model).toMatchObject({ name: "baseline", description: "two epochs of SGD", tags: ["xor", "baseline"] });

    const renamed = await inject("PATCH", `/v1/jobs/${job.id}`, { name: "first try", tags: ["xor"] });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "first try", description: "two epochs of SGD", tags: ["xor"], status: "succeeded", epoch: 2 });
    const cleared = await inject("PATCH", `/v1/models/${job.resultModelId}`, { name: null, tags: ["keep"] });
    expect(cleared.json()).toMatchObject({ name: null, description: "two epochs of SGD", tags: ["keep"] });
    expect((await inject("GET", `/v1/models/${job.resultModelId}`)).json().tags).toEqual(["keep"]);

    const tagged = (await inject("GET", "/v1/jobs?tag=xor")).json().data.map((j: { id: string }) => j.id);
    expect(tagged).toEqual([job.id]);
    expect((await inject("GET", "/v1/jobs?tag=baseline")).json().data).toEqual([]);
    expect((await inject("GET", "/v1/models?tag=keep")).json().data.map((m: { id: string }) => m.id)).toEqual([job.resultModelId]);
    expect((await inject("GET", "/v1/models?tag=xor")).json().data).toEqual([]);
  });

  it("answers bad labels with 400 and the path, and unknown ids with 404", async () => {
    const job = (await inject("POST", "/v1/jobs", body({}))).json();
    const cases: [object, string][] = [
      [{}, ""],
      [{ name: "" }, "/name"],
      [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, "/tags"],
      [{ tags: ["a", "a"] }, "/tags"],
      [{ description: "x".repeat(2001) }, "/description"],
      [{ epochs: 3 }, "/epochs"],
    ];
    for (const [patch, path] of cases) {
      const res = await inject("PATCH", `/v1/jobs/${job.id}`, patch);
      expect(res.statusCode, JSON.stringify(patch)).toBe(400);
      expect(res.json().errors[0].path, JSON.stringify(patch)).toBe(path);
    }
    const submitted = await inject("POST", "/v1/jobs", body({ tags: [""] }));
    expect(submitted.statusCode).toBe(400);
    expect(submitted.json().errors[0].path).toBe("/tags/0");
    expect((await inject("PATCH", "/v1/jobs/job_missing", { name: "x" })).statusCode).toBe(404);
    expect((await inject("PATCH", "/v1/models/mdl_missing", { name: "x" })).statusCode).toBe(404);
  });
});
