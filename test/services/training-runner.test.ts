import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheckpoint } from "../../src/engine/index.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { FencedOut, JobFailure } from "../../src/services/training-errors.js";
import { createTestContext, type TestContext } from "../helpers/context.js";
import { waitFor } from "../helpers/processes.js";

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const res = await ctx.app.inject({
    method: "POST",
    url: "/v1/datasets",
    payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] },
  });
  datasetId = res.json().id;
});
afterAll(async () => {
  await ctx?.close();
});

const model = { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] };

async function submit(training: Record<string, unknown>, job: Record<string, unknown> = { datasetId, model }) {
  const res = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: { ...job, training: { batchSize: 4, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.5 }, ...training } },
  });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
}

describe("the training runner", () => {
  it("writes nothing once another attempt owns the job", async () => {
    const jobId = await submit({ epochs: 10_000 });
    const runner = createTrainingRunner({ db: ctx.db });
    const running = runner.run(jobId, { lastDelivery: false });
    const outcome = running.then(
      () => "finished",
      (error) => error,
    );

    // Another worker takes the job over (as after a stalled lock), mid-training.
    await waitFor(async () => ((await ctx.db.epochMetric.count({ where: { jobId } })) >= 3 ? true : undefined), { what: "three epochs" });
    await ctx.db.trainingJob.update({ where: { id: jobId }, data: { attempt: { increment: 1 } } });
    const rowsAtTakeover = await ctx.db.epochMetric.count({ where: { jobId } });

    expect(await outcome).toBeInstanceOf(FencedOut);
    // At most the epoch whose write was already in flight landed.
    expect(await ctx.db.epochMetric.count({ where: { jobId } })).toBeLessThanOrEqual(rowsAtTakeover + 1);
    expect(await ctx.db.model.count({ where: { sourceJobId: jobId } })).toBe(0);
    expect((await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("running");
  });

  it("marks a diverging job failed with NON_FINITE_LOSS, the epoch and the batch", async () => {
    const regression = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      payload: { features: [[100], [200], [300]], labels: [1000.5, 2000.5, 3000.5] },
    });
    // Large inputs, a linear unit and a learning rate of 5: each step overshoots more, until float32 overflows.
    const jobId = await submit(
      { epochs: 50, batchSize: 1, optimizer: { type: "sgd", learningRate: 5 }, loss: "meanSquaredError" },
      { datasetId: regression.json().id, model: { inputShape: [1], layers: [{ type: "dense", units: 1 }] } },
    );
    const error = await createTrainingRunner({ db: ctx.db })
      .run(jobId, { lastDelivery: false })
      .catch((e) => e);
    expect(error).toBeInstanceOf(JobFailure);
    const job = (await ctx.app.inject({ url: `/v1/jobs/${jobId}` })).json();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "NON_FINITE_LOSS", epoch: expect.any(Number), batch: expect.any(Number) });
    expect(job.error.message).toMatch(/epoch \d+/);
  });

  it("marks a job failed with DATASET_MISSING when its dataset is gone", async () => {
    const jobId = await submit({ epochs: 1 });
    // The API will refuse to delete a dataset in use; simulate a row removed behind its back.
    await ctx.db.$executeRawUnsafe(`ALTER TABLE "TrainingJob" DROP CONSTRAINT "TrainingJob_datasetId_fkey"`);
    try {
      await ctx.db.trainingJob.update({ where: { id: jobId }, data: { datasetId: "ds_gone" } });
      const error = await createTrainingRunner({ db: ctx.db })
        .run(jobId, { lastDelivery: false })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobFailure);
      expect((await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } })).error).toMatchObject({ code: "DATASET_MISSING" });
    } finally {
      await ctx.db.trainingJob.update({ where: { id: jobId }, data: { datasetId } });
      await ctx.db.$executeRawUnsafe(
        `ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE`,
      );
    }
  });

  it("trains job after job on one dataset from its cached arrays with the same bits, and fails a job whose dataset was deleted meanwhile", async () => {
    const runner = createTrainingRunner({ db: ctx.db });
    const weightsOf = async (jobId: string) => {
      await runner.run(jobId, { lastDelivery: false });
      const job = await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId }, include: { resultModel: { omit: { weights: false } } } });
      expect(job.status).toBe("succeeded");
      return Buffer.from(job.resultModel!.weights);
    };
    const training = { epochs: 20, shuffle: true };
    const first = await weightsOf(await submit(training));
    // The second run reads the arrays the first left in the cache: training must not have changed them.
    expect((await weightsOf(await submit(training))).equals(first)).toBe(true);

    const doomed = await submit({ epochs: 1 });
    await ctx.db.dataset.update({ where: { id: datasetId }, data: { deletedAt: new Date() } });
    try {
      await expect(runner.run(doomed, { lastDelivery: false })).rejects.toBeInstanceOf(JobFailure);
      expect((await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: doomed } })).error).toMatchObject({ code: "DATASET_MISSING" });
    } finally {
      await ctx.db.dataset.update({ where: { id: datasetId }, data: { deletedAt: null } });
    }
  });

  it("writes fast epochs together: every row, event and kept checkpoint, in order, in fewer statements than epochs", async () => {
    const jobId = await submit({ epochs: 300 });
    await createTrainingRunner({ db: ctx.db, checkpointsKept: 20 }).run(jobId, { lastDelivery: false });
    const rows = await ctx.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });
    expect(rows.map((r) => r.epoch)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const events = await ctx.db.jobEvent.findMany({ where: { jobId, type: "epoch" }, orderBy: { id: "asc" } });
    expect(events.map((e) => (e.data as { epoch: number }).epoch)).toEqual(rows.map((r) => r.epoch));
    expect(events.map((e) => (e.data as { loss: number }).loss)).toEqual(rows.map((r) => r.loss));
    // One statement's rows share its transaction's now(): the writes are the distinct times.
    const writes = new Set(events.map((e) => e.createdAt.getTime())).size;
    expect(writes).toBeLessThan(300 / 4);
    const kept = await ctx.db.epochCheckpoint.findMany({ where: { jobId }, orderBy: { epoch: "asc" }, select: { epoch: true, data: true } });
    expect(kept.map((k) => k.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => 281 + i));
    for (const k of kept) expect(decodeCheckpoint(k.data).epoch).toBe(k.epoch);
  });
});
