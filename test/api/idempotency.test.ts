import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "1000", MAX_ACTIVE_JOBS_PER_PROJECT: "1000" } });
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0], [1]], labels: ["a", "b"] } })).json().id;
});
afterAll(async () => {
  await ctx?.close();
});

const job = () => ({
  datasetId,
  model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
});
const post = (url: string, body: object, key: string) => ctx.app.inject({ method: "POST", url, headers: { "idempotency-key": key }, payload: body });

describe("Idempotency-Key", () => {
  it("creates one job for 50 concurrent requests with the same key and body, and answers all of them alike", async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => post("/v1/jobs", job(), "burst-1")));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(202));
    const ids = new Set(answers.map((a) => a.json().id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await ctx.db.trainingJob.count({ where: { id } })).toBe(1);
    expect(await ctx.db.trainingJob.count()).toBe(1);
    expect((await ctx.queue.getJobCounts("prioritized")).prioritized).toBe(1);
    expect(answers.filter((a) => a.headers["idempotency-replayed"] === "true")).toHaveLength(49);
    expect(answers[0].headers.location).toBe(`/v1/jobs/${id}`);
  });

  it("returns the original resource for a replay with the same body in another key order", async () => {
    const body = { name: "same", features: [[1], [2]], labels: ["x", "y"] };
    const first = await post("/v1/datasets", body, "ds-1");
    const again = await post("/v1/datasets", { labels: ["x", "y"], features: [[1], [2]], name: "same" }, "ds-1");
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
  });

  it("is a 409 for the same key with a different body, and creates nothing", async () => {
    await post("/v1/jobs", job(), "reused");
    const before = await ctx.db.trainingJob.count();
    const other = await post("/v1/jobs", { ...job(), training: { ...job().training, epochs: 2 } }, "reused");
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toContain("different request body");
    expect(await ctx.db.trainingJob.count()).toBe(before);
  });

  it("lets a retry do the work when the first attempt failed validation", async () => {
    const bad = await post("/v1/jobs", { ...job(), datasetId: "ds_missing" }, "fix-me");
    expect(bad.statusCode).toBe(400);
    const good = await post("/v1/jobs", job(), "fix-me");
    expect(good.statusCode).toBe(202);
  });

  it("scopes keys to a project and a route", async () => {
    const asJob = await post("/v1/jobs", job(), "shared-key");
    const asDataset = await post("/v1/datasets", { features: [[1]], labels: [0] }, "shared-key");
    expect(asJob.statusCode).toBe(202);
    expect(asDataset.statusCode).toBe(201);
  });
});
