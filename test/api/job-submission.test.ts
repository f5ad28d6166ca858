import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

// POST /v1/jobs writes a job and its first event in one statement and answers
// without reading the job back: the answer must still be what GET reads, and
// concurrent submissions must still meet the project's cap with distinct ranks.

let ctx: TestContext;
let datasetId: string;
const CAP = 5;

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "1000", MAX_ACTIVE_JOBS_PER_PROJECT: String(CAP) } });
  const features = Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2]);
  const labels = features.map(([a, b], i) => (a ^ b || i % 5 === 0 ? "yes" : "no"));
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features, labels } })).json().id;
});
afterAll(async () => {
  await ctx?.close();
});

const model = { layers: [{ type: "dense", units: 4, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }] };
const training = { epochs: 2, batchSize: 10, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, classWeight: "balanced" };
const submit = () => ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training } });

describe("POST /v1/jobs", () => {
  it("answers with the job exactly as GET /v1/jobs/:id and the list read it back", async () => {
    const submitted = await submit();
    expect(submitted.statusCode).toBe(202);
    const job = submitted.json();
    expect(job).toMatchObject({ status: "queued", epoch: 0, totalEpochs: 2, attempt: 0, resultModelId: null, model: { inputShape: [2] } });
    expect(job.training.classWeights).toHaveLength(2);
    expect(job.history).toEqual([{ status: "queued", at: job.createdAt, message: "submitted" }]);
    const read = await ctx.app.inject({ url: `/v1/jobs/${job.id}` });
    expect(read.json()).toEqual(job);
    expect((await ctx.app.inject({ url: "/v1/jobs?limit=1" })).json().data[0]).toEqual(job);
    await ctx.app.inject({ method: "POST", url: `/v1/jobs/${job.id}/cancel` });
  });

  it("caps concurrent submissions at the project's limit, each accepted one with a rank of its own", async () => {
    const answers = await Promise.all(Array.from({ length: CAP + 3 }, submit));
    const accepted = answers.filter((answer) => answer.statusCode === 202).map((answer) => answer.json().id as string);
    expect(accepted).toHaveLength(CAP);
    expect(answers.filter((answer) => answer.statusCode === 429)).toHaveLength(3);
    expect(await ctx.db.trainingJob.count({ where: { status: "queued" } })).toBe(CAP);
    const priorities = await Promise.all(accepted.map(async (id) => (await ctx.queue.getJob(id))!.opts.priority));
    expect(priorities.sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5]);
  });
});
