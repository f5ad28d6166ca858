import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Fingerprints: jobs that would train the same bits share one, and they do train the same bits.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const features = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 7) / 7]);
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features, labels: features.map(([a, b]) => (a + b > 0 ? "up" : "down")) } })).json().id;
});
afterAll(async () => ctx?.close());

const job = (training: object = {}) => ({
  datasetId,
  model: { layers: [{ type: "dense", units: 6, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs: 3, batchSize: 8, seed: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, ...training },
});
const submit = async (body: object) => {
  const res = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
};

describe("fingerprints", () => {
  it("are equal for jobs that train the same bits, and differ when anything that decides them does", async () => {
    const a = await submit(job());
    const b = await submit(job({ shuffle: true, timeLimitSeconds: 60 })); // a default made explicit, and a time limit: the same run
    const otherSeed = await submit(job({ seed: 5 }));
    const otherRate = await submit(job({ optimizer: { type: "adam", learningRate: 0.02 } }));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(new Set([a.fingerprint, otherSeed.fingerprint, otherRate.fingerprint]).size).toBe(3);
    expect((await ctx.app.inject({ url: `/v1/jobs/${a.id}` })).json().fingerprint).toBe(a.fingerprint);

    const listed = (await ctx.app.inject({ url: `/v1/jobs?fingerprint=${a.fingerprint}` })).json().data.map((j: { id: string }) => j.id);
    expect(listed.sort()).toEqual([a.id, b.id].sort());

    // The same fingerprint, the same weights bit for bit; and the models carry it.
    const weights = [];
    for (const id of [a.id, b.id]) {
      await createTrainingRunner({ db: ctx.db }).run(id, { lastDelivery: true });
      const modelId = (await ctx.app.inject({ url: `/v1/jobs/${id}` })).json().resultModelId;
      expect((await ctx.app.inject({ url: `/v1/models/${modelId}` })).json().fingerprint).toBe(a.fingerprint);
      weights.push((await ctx.app.inject({ url: `/v1/models/${modelId}/weights` })).rawPayload);
    }
    expect(weights[0].equals(weights[1])).toBe(true);
    expect((await ctx.app.inject({ url: `/v1/models?fingerprint=${a.fingerprint}` })).json().data).toHaveLength(2);
    expect((await ctx.app.inject({ url: "/v1/jobs?fingerprint=nothex" })).statusCode).toBe(400);
  });
});
