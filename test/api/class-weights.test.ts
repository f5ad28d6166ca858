import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// training.classWeight: "balanced" or a weight by class name, resolved at
// submission to one weight per class index (training.classWeights), from
// the classes of the job's training rows.

let ctx: TestContext;
let tableId: string;

/** 100 rows, 80 "no" and 20 "yes". */
function imbalancedRows(): Record<string, unknown>[] {
  return Array.from({ length: 100 }, (_, i) => ({ x: i % 10, y: (i * 7) % 13, churn: i % 5 === 4 ? "yes" : "no" }));
}

const model = { layers: [{ type: "dense", units: 2, activation: "softmax" }] };
const training = { epochs: 3, batchSize: 10, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.2 };

beforeAll(async () => {
  ctx = await createTestContext();
  const upload = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=churn&name=churn", payload: imbalancedRows() });
  expect(upload.statusCode, upload.body).toBe(201);
  tableId = upload.json().id;
});
afterAll(async () => ctx?.close());

function submit(trainingFields: Record<string, unknown>, datasetId = tableId) {
  return ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training: { ...training, ...trainingFields } } });
}

describe("training.classWeight", () => {
  it('"balanced" weighs each class by total / (classes x its count) over the training rows, and the job trains with them', async () => {
    const submitted = await submit({ classWeight: "balanced" });
    expect(submitted.statusCode, submitted.body).toBe(202);
    const job = submitted.json();
    // A stratified 80/20 split keeps 64 "no" and 16 "yes" for training; classes in order of first appearance.
    expect(job.training.classWeights).toEqual([80 / (2 * 64), 80 / (2 * 16)]);
    await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
    expect((await ctx.app.inject({ url: `/v1/jobs/${job.id}` })).json().status).toBe("succeeded");
  });

  it("takes a weight by class name, the others weighing 1", async () => {
    const job = (await submit({ classWeight: { yes: 4 } })).json();
    expect(job.training.classWeights).toEqual([1, 4]);
  });

  it("names the unknown class, and refuses a loss it cannot weigh or a regression label", async () => {
    const unknown = await submit({ classWeight: { yes: 4, maybe: 2 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ path: "/training/classWeight/maybe", message: expect.stringContaining("the classes are no, yes") })]);

    const mse = await submit({ classWeight: "balanced", loss: "meanSquaredError" });
    expect(mse.statusCode).toBe(400);
    expect(mse.json().errors[0].path).toBe("/training/classWeight");

    const regression = (await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=y&name=numbers", payload: imbalancedRows() })).json();
    const onNumbers = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: regression.id, model: { layers: [{ type: "dense", units: 1 }] }, training: { ...training, loss: "meanSquaredError", classWeight: "balanced" } },
    });
    expect(onNumbers.statusCode).toBe(400);
    expect(onNumbers.json().errors[0]).toMatchObject({ path: "/training/classWeight", message: expect.stringContaining("regression") });

    const negative = await submit({ classWeight: { yes: -1 } });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].path).toBe("/training/classWeight/yes");
  });
});
