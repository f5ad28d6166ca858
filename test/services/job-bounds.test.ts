import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisConnection } from "../../src/queue/connection.js";
import { TRAINING_QUEUE } from "../../src/queue/training-queue.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { JobFailure } from "../../src/services/training-errors.js";
import { createTestContext, redisUrl, testAdminKey, type TestContext } from "../helpers/context.js";

// Sharing the workers between projects, and bounding what one job may take.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ auth: "on", configEnv: { MAX_JOB_FLOPS: "2000000000" } });
});
afterAll(async () => ctx?.close());

async function project(name: string) {
  const created = await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: { authorization: `Bearer ${testAdminKey}` }, payload: { name } });
  const headers = { authorization: `Bearer ${created.json().apiKey}` };
  const dataset = await ctx.app.inject({ method: "POST", url: "/v1/datasets", headers, payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: [0, 1, 1, 0] } });
  return { headers, datasetId: dataset.json().id as string };
}

function job(datasetId: string, training: Record<string, unknown> = {}, units = 4) {
  return {
    datasetId,
    model: { inputShape: [2], layers: [{ type: "dense", units, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
    training: { epochs: 1, batchSize: 4, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.5 }, ...training },
  };
}

describe("fair sharing between projects", () => {
  it("serves another project's first job before one project's backlog", async () => {
    const a = await project("busy");
    const b = await project("newcomer");
    const submit = async (who: typeof a) => (await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: who.headers, payload: job(who.datasetId) })).json().id as string;
    const backlog = [await submit(a), await submit(a), await submit(a), await submit(a)];
    const newcomer = await submit(b);
    const later = await submit(a);

    // A real BullMQ worker on the same queue takes the jobs one at a time; record the order.
    const order: string[] = [];
    const connection = createRedisConnection(redisUrl, "worker");
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const worker = new Worker(
      TRAINING_QUEUE,
      async (entry) => {
        order.push(entry.data.jobId);
        if (order.length === 6) done();
      },
      { connection, prefix: ctx.queuePrefix, concurrency: 1 },
    );
    await all;
    await worker.close();
    connection.disconnect();
    // Each project's oldest job first, then each project's second, ...
    expect(order).toEqual([backlog[0], newcomer, backlog[1], backlog[2], backlog[3], later]);
  });
});

describe("bounds on one job", () => {
  it("refuses a job whose training would take more floating-point operations than the budget, naming the epochs", async () => {
    const a = await project("heavy");
    // 512 hidden units: about 6,700 forward FLOPs per sample; x3 for training, 4 samples, 10,000 epochs: about 8e8, within 2e9.
    const res = await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: a.headers, payload: job(a.datasetId, { epochs: 10_000 }, 512) });
    expect(res.statusCode, res.body).toBe(202);
    // Ten times the units: about 8e9, past it.
    const over = await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: a.headers, payload: job(a.datasetId, { epochs: 10_000 }, 5_120) });
    expect(over.statusCode, over.body).toBe(422);
    expect(over.json().errors[0]).toMatchObject({ path: "/training/epochs", message: expect.stringMatching(/floating-point operations.*budget/) });
  });

  it("refuses a time limit above the service's, and defaults to the service's", async () => {
    const a = await project("timed");
    const over = await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: a.headers, payload: job(a.datasetId, { timeLimitSeconds: 86_401 }) });
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0].path).toBe("/training/timeLimitSeconds");
    const defaulted = await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: a.headers, payload: job(a.datasetId) });
    expect(defaulted.json().training.timeLimitSeconds).toBe(86_400);
  });

  it("stops a job at its time limit and fails it with TIME_LIMIT_EXCEEDED, keeping the metrics of its epochs", async () => {
    const a = await project("slow");
    const created = await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: a.headers, payload: job(a.datasetId, { epochs: 10_000, timeLimitSeconds: 1 }) });
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json().id;
    await expect(createTrainingRunner({ db: ctx.db }).run(id, { lastDelivery: true })).rejects.toBeInstanceOf(JobFailure);
    const stopped = (await ctx.app.inject({ url: `/v1/jobs/${id}`, headers: a.headers })).json();
    expect(stopped.status).toBe("failed");
    expect(stopped.error.code).toBe("TIME_LIMIT_EXCEEDED");
    expect(stopped.epoch).toBeGreaterThan(0);
    expect(stopped.epoch).toBeLessThan(10_000);
    const metrics = (await ctx.app.inject({ url: `/v1/jobs/${id}/metrics`, headers: a.headers })).json().data;
    expect(metrics).toHaveLength(stopped.epoch);
  });
});
