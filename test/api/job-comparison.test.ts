import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// GET /v1/jobs/compare: jobs side by side, metrics aligned on the epoch and the settings that differ.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: [0, 1, 1, 0] } })).json().id;
});
afterAll(async () => ctx?.close());

async function trained(epochs: number, learningRate: number, units: number, name: string): Promise<string> {
  const submitted = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: {
      datasetId,
      name,
      model: { layers: [{ type: "dense", units, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
      training: { epochs, batchSize: 4, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate } },
    },
  });
  await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
  return submitted.json().id;
}

describe("comparing jobs", () => {
  it("aligns every metric on the epoch and lists the settings that differ", async () => {
    const a = await trained(3, 0.01, 4, "small");
    const b = await trained(2, 0.001, 8, "wide");
    const res = await ctx.app.inject({ url: `/v1/jobs/compare?ids=${a},${b}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.jobs).toEqual([
      { id: a, name: "small", status: "succeeded", epochs: 3 },
      { id: b, name: "wide", status: "succeeded", epochs: 2 },
    ]);
    expect(body.epochs).toEqual([1, 2, 3]);
    const metricsOf = async (id: string) => (await ctx.app.inject({ url: `/v1/jobs/${id}/metrics` })).json().data;
    const [ma, mb] = [await metricsOf(a), await metricsOf(b)];
    expect(body.metrics.loss).toEqual([ma.map((m: { loss: number }) => m.loss), [...mb.map((m: { loss: number }) => m.loss), null]]);
    expect(body.metrics.learningRate).toEqual([[0.01, 0.01, 0.01], [0.001, 0.001, null]]);
    expect(body.metrics.valLoss).toEqual([[null, null, null], [null, null, null]]);
    expect(body.differences).toEqual([
      { path: "/model/layers/0/units", values: [4, 8] },
      { path: "/training/epochs", values: [3, 2] },
      { path: "/training/optimizer/learningRate", values: [0.01, 0.001] },
    ]);
  });

  it("answers a bad list or an unknown job with the path in the query", async () => {
    const a = await trained(1, 0.01, 4, "one");
    const single = await ctx.app.inject({ url: `/v1/jobs/compare?ids=${a}` });
    expect(single.statusCode).toBe(400);
    expect(single.json().errors[0].path).toBe("querystring/ids");
    const unknown = await ctx.app.inject({ url: `/v1/jobs/compare?ids=${a},job_missing` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].path).toBe("querystring/ids/1");
    expect((await ctx.app.inject({ url: "/v1/jobs/compare" })).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: `/v1/jobs/compare?ids=${a},,x` })).statusCode).toBe(400);
  });
});
