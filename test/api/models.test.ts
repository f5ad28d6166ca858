import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Trains a tiny model with the worker's runner in this process (the worker
// process itself is covered by test/e2e), then reads it through the API.

let ctx: TestContext;
let modelId: string;
let jobId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const dataset = (
    await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] },
    })
  ).json();
  const job = (
    await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: {
        datasetId: dataset.id,
        model: { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 400, batchSize: 4, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.5 } },
      },
    })
  ).json();
  jobId = job.id;
  const outcome = await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
  if (outcome.status !== "succeeded") throw new Error(`training did not succeed: ${JSON.stringify(outcome)}`);
  modelId = outcome.modelId;
});
afterAll(async () => {
  await ctx?.close();
});

describe("a job trained by the runner", () => {
  it("ends succeeded with one metrics row per epoch and its model linked", async () => {
    const job = (await ctx.app.inject({ url: `/v1/jobs/${jobId}` })).json();
    expect(job).toMatchObject({ status: "succeeded", epoch: 400, attempt: 1, resultModelId: modelId });
    expect(job.finishedAt).not.toBeNull();
    expect(await ctx.db.epochMetric.count({ where: { jobId } })).toBe(400);
  });

  it("is not trained again when delivered a second time", async () => {
    const outcome = await createTrainingRunner({ db: ctx.db }).run(jobId, { lastDelivery: true });
    expect(outcome.status).toBe("skipped");
    expect(await ctx.db.model.count({ where: { sourceJobId: jobId } })).toBe(1);
  });
});

describe("GET /v1/models/:id", () => {
  it("describes the model: spec, layer shapes, parameter count, weight layout", async () => {
    const res = await ctx.app.inject({ url: `/v1/models/${modelId}` });
    expect(res.statusCode).toBe(200);
    const model = res.json();
    expect(model).toMatchObject({ id: modelId, sourceJobId: jobId, parameterCount: 2 * 8 + 8 + 8 * 2 + 2, inputShape: [2], outputSize: 2, classNames: ["no", "yes"] });
    expect(model.layers.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[8], [2]]);
    const sizes = model.weightManifest.map((w: { shape: number[] }) => w.shape.reduce((a: number, b: number) => a * b, 1));
    expect(sizes.reduce((a: number, b: number) => a + b, 0)).toBe(model.parameterCount);
    expect(model.metrics.loss).toEqual(expect.any(Number));
    expect((await ctx.app.inject({ url: "/v1/models/mdl_nope" })).statusCode).toBe(404);
  });

  it("serves the weights as the same little-endian float32 bytes every time", async () => {
    const a = await ctx.app.inject({ url: `/v1/models/${modelId}/weights` });
    const b = await ctx.app.inject({ url: `/v1/models/${modelId}/weights` });
    expect(a.statusCode).toBe(200);
    expect(a.headers["content-type"]).toBe("application/octet-stream");
    expect(a.rawPayload.byteLength).toBe(42 * 4);
    expect(a.rawPayload.equals(b.rawPayload)).toBe(true);
    expect(new Float32Array(new Uint8Array(a.rawPayload).buffer).every(Number.isFinite)).toBe(true);
    expect((await ctx.app.inject({ url: "/v1/models/mdl_nope/weights" })).statusCode).toBe(404);
  });
});

describe("POST /v1/models/:id/predict", () => {
  it("predicts XOR from flat inputs, with class indices and names", async () => {
    const res = await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.classes).toEqual([0, 1, 1, 0]);
    expect(body.classNames).toEqual(["no", "yes", "yes", "no"]);
    for (const output of body.outputs) expect(output[0] + output[1]).toBeCloseTo(1, 5);
  });

  it.each([
    ["a row of the wrong size", { inputs: [[0, 0, 1]] }, "/inputs/0"],
    ["a string value", { inputs: [[0, 0], [0, "1"]] }, "/inputs/1/1"],
    ["no inputs", { inputs: [] }, "/inputs"],
    ["an unknown property", { inputs: [[0, 0]], extra: true }, "/extra"],
  ])("rejects %s with a 400 at its path", async (_name, body, path) => {
    const res = await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe(path);
  });

  it("404s an unknown model", async () => {
    const res = await ctx.app.inject({ method: "POST", url: "/v1/models/mdl_nope/predict", payload: { inputs: [[0, 0]] } });
    expect(res.statusCode).toBe(404);
  });
});

describe("GET /v1/models", () => {
  it("lists the project's models newest first, without their weights", async () => {
    const res = await ctx.app.inject({ url: "/v1/models?limit=5" });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.data.map((m: { id: string }) => m.id)).toContain(modelId);
    expect(page.data[0]).not.toHaveProperty("weights");
    expect(page.nextCursor).toBeNull();
  });
});
