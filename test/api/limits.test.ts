import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

// What one client or project may ask of the shared machines.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext({
    configEnv: { RATE_LIMIT_PER_SECOND: "1000", MAX_PARAMETERS: "1000", MAX_SAMPLE_EPOCHS: "10000", MAX_ACTIVE_JOBS_PER_PROJECT: "3", MAX_LAYERS: "4" },
  });
  const features = Array.from({ length: 100 }, (_, i) => [i % 2, (i >> 1) % 2]);
  const labels = features.map(([a, b]) => (a ^ b ? "yes" : "no"));
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features, labels } })).json().id;
});
afterAll(async () => {
  await ctx?.close();
});

const model = { inputShape: [2], layers: [{ type: "dense", units: 4, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }] };
const training = { epochs: 2, batchSize: 10, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } };
const submit = (body: object) => ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: body });

describe("job limits, checked before queuing", () => {
  it.each([
    ["too many parameters", { model: { ...model, layers: [{ type: "dense", units: 500, activation: "relu" }, model.layers[1]] } }, 422, "/model/layers", "parameters"],
    ["too many layers", { model: { ...model, layers: [...Array(4).fill({ type: "activation", activation: "relu" }), model.layers[1]] } }, 422, "/model/layers", "at most 4"],
    ["epochs x samples over the compute budget", { training: { ...training, epochs: 101 } }, 422, "/training/epochs", "sample-epochs"],
    ["a batch larger than the training set", { training: { ...training, batchSize: 81, validationSplit: 0.2 } }, 400, "/training/batchSize", "80 samples"],
  ])("rejects %s", async (_name, change, status, path, message) => {
    const before = await ctx.db.trainingJob.count();
    const res = await submit({ datasetId, model, training, ...change });
    expect(res.statusCode).toBe(status);
    expect(res.json().errors[0]).toMatchObject({ path, message: expect.stringContaining(message) });
    expect(await ctx.db.trainingJob.count()).toBe(before);
  });

  it("rejects a classification loss on a dataset with a single class", async () => {
    const single = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1], [2]], labels: ["a", "a"] } })).json();
    const res = await submit({
      datasetId: single.id,
      model: { inputShape: [1], layers: [{ type: "dense", units: 1, activation: "sigmoid" }] },
      training: { ...training, batchSize: 1, loss: "binaryCrossentropy" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: "/training/loss", message: expect.stringContaining("two classes") });
  });

  it("lists the known layer types when the type is unknown", async () => {
    const res = await submit({ datasetId, model: { ...model, layers: [{ type: "transformer", units: 2 }] }, training });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: "/model/layers/0/type", message: expect.stringMatching(/dense.*dropout/) });
  });

  it("caps a project's queued and running jobs, with a 429 that says why", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await submit({ datasetId, model, training })).statusCode);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const refused = await submit({ datasetId, model, training });
    expect(refused.json().detail).toContain("3 queued or running jobs");
    // Once one ends, there is room again.
    const [job] = (await ctx.app.inject({ url: "/v1/jobs?limit=1" })).json().data;
    await ctx.app.inject({ method: "POST", url: `/v1/jobs/${job.id}/cancel` });
    expect((await submit({ datasetId, model, training })).statusCode).toBe(202);
  });
});

describe("rate limit and headers", () => {
  it("answers 429 problem+json with Retry-After past the per-key rate", async () => {
    const limited = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "5" } });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => limited.app.inject({ url: "/v1/datasets" })));
      const statuses = answers.map((a) => a.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      const refused = answers.find((a) => a.statusCode === 429)!;
      expect(refused.headers["retry-after"]).toBeDefined();
      expect(refused.headers["content-type"]).toMatch(/problem\+json/);
      // Health checks are not rate limited.
      for (let i = 0; i < 10; i++) expect((await limited.app.inject({ url: "/health/live" })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("sends security headers, and Swagger UI still loads its files", async () => {
    const res = await ctx.app.inject({ url: "/v1/datasets" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toBeDefined();
    const page = await ctx.app.inject({ url: "/docs/" });
    expect(page.statusCode).toBe(200);
    for (const asset of ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-initializer.js"]) {
      expect((await ctx.app.inject({ url: `/docs/static/${asset}` })).statusCode, asset).toBe(200);
    }
  });

  it("answers 413 for an oversized body before reading it", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      headers: { "content-type": "application/json", "content-length": String(50 * 1024 * 1024) },
      payload: "{}",
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
  });
});
