import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

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

const model = {
  inputShape: [2],
  layers: [
    { type: "dense", units: 4, activation: "relu" },
    { type: "dense", units: 2, activation: "softmax" },
  ],
};
const training = { epochs: 3, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } };

function submit(body: unknown) {
  return ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: body as object });
}

describe("POST /v1/jobs", () => {
  it("stores a queued job with defaults filled in and enqueues only its id", async () => {
    const res = await submit({ datasetId, model, training });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(job).toMatchObject({
      status: "queued",
      datasetId,
      model,
      training: { ...training, seed: 0, validationSplit: 0, shuffle: true },
      epoch: 0,
      totalEpochs: 3,
      attempt: 0,
      error: null,
      resultModelId: null,
      startedAt: null,
    });
    expect(res.headers.location).toBe(`/v1/jobs/${job.id}`);

    const queued = await ctx.queue.getJob(job.id);
    expect(queued?.data).toEqual({ jobId: job.id });
  });

  it("answers the same instants on POST and GET, whatever the API process's time zone", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Tokyo"; // read through pg, a timestamp without zone would otherwise be taken for Tokyo time
    try {
      const posted = (await submit({ datasetId, model, training })).json();
      const read = (await ctx.app.inject({ url: `/v1/jobs/${posted.id}` })).json();
      const stored = await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: posted.id } });
      expect(read.createdAt).toBe(posted.createdAt);
      expect(read.createdAt).toBe(stored.createdAt.toISOString());
      expect(read.history[0].at).toBe(posted.createdAt);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it.each([
    ["a missing training config", { datasetId, model }, "/training"],
    ["an unknown layer type", { datasetId, model: { ...model, layers: [{ type: "conv9d", units: 2 }] }, training }, "/model/layers/0/type"],
    ["a wrong type inside a layer", { datasetId, model: { ...model, layers: [{ type: "dense", units: "2" }] }, training }, "/model/layers/0/units"],
    ["an unknown property of a layer", { datasetId, model: { ...model, layers: [{ type: "dense", units: 2, colour: 1 }] }, training }, "/model/layers/0/colour"],
    ["an unknown loss", { datasetId, model, training: { ...training, loss: "hinge" } }, "/training/loss"],
    ["an unknown optimizer", { datasetId, model, training: { ...training, optimizer: { type: "lbfgs", learningRate: 1 } } }, "/training/optimizer/type"],
    ["a negative learning rate", { datasetId, model, training: { ...training, optimizer: { type: "sgd", learningRate: -1 } } }, "/training/optimizer/learningRate"],
    ["zero epochs", { datasetId, model, training: { ...training, epochs: 0 } }, "/training/epochs"],
    ["an unknown schedule", { datasetId, model, training: { ...training, learningRateSchedule: { type: "cyclic" } } }, "/training/learningRateSchedule/type"],
    ["a step schedule without its step", { datasetId, model, training: { ...training, learningRateSchedule: { type: "step", gamma: 0.5 } } }, "/training/learningRateSchedule/stepSize"],
    ["an unknown early-stopping metric", { datasetId, model, training: { ...training, earlyStopping: { monitor: "f1" } } }, "/training/earlyStopping/monitor"],
  ])("rejects %s with a 400 at its path, before queuing", async (_name, body, path) => {
    const before = await ctx.db.trainingJob.count();
    const res = await submit(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await ctx.db.trainingJob.count()).toBe(before);
  });

  it("rejects early stopping on validation loss when there is no validation split", async () => {
    const res = await submit({ datasetId, model, training: { ...training, earlyStopping: { monitor: "valLoss" } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe("/training/earlyStopping/monitor");
  });

  it("accepts every training option of the engine and stores them", async () => {
    const full = {
      ...training,
      seed: 9,
      validationSplit: 0.5,
      stratify: true,
      shuffle: false,
      learningRateSchedule: { type: "reduceOnPlateau", monitor: "valLoss", factor: 0.5, patience: 2, warmupEpochs: 1 },
      earlyStopping: { monitor: "valAccuracy", mode: "max", patience: 3, minDelta: 0.01, restoreBestWeights: true },
      optimizer: { type: "sgd", learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.001, clipNorm: 5 },
    };
    const res = await submit({ datasetId, model, training: full });
    expect(res.statusCode).toBe(202);
    expect(res.json().training).toEqual({ ...full, timeLimitSeconds: 86_400 }); // the service's limit when the job names none
  });

  it("rejects an unknown dataset at /datasetId", async () => {
    const res = await submit({ datasetId: "ds_nope", model, training });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: "/datasetId", message: "dataset ds_nope does not exist" }]);
  });

  it.each([
    ["a spec with a bad field", { inputShape: [2], layers: [{ type: "dense", units: "ten" }] }, [{ path: "/model/layers/0/units", message: "must be integer" }]],
    ["a spec without layers", { inputShape: [2] }, [{ path: "/model/layers", message: "must have required property 'layers'" }]],
    ["a transfer with a bad field", { baseModelId: "mdl_x", dropLayers: -1 }, [{ path: "/model/dropLayers", message: "must be >= 0" }]],
    ["a mix of both forms", { baseModelId: "mdl_x", inputShape: [2] }, [{ path: "/model/inputShape", message: "is not a known property" }]],
  ])("reports only the errors of the model form closest to %s", async (_name, badModel, errors) => {
    const res = await submit({ datasetId, model: badModel, training });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(errors);
  });

  it.each([
    ["an input size that is not the dataset's", { ...model, inputShape: [3] }, "/model/inputShape"],
    ["output units that are not the number of classes", { ...model, layers: [model.layers[0], { type: "dense", units: 5, activation: "softmax" }] }, "/model/layers/1/units"],
  ])("rejects a spec with %s, naming the layer and the shapes", async (_name, badModel, path) => {
    const before = await ctx.db.trainingJob.count();
    const res = await submit({ datasetId, model: badModel, training });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.type).toMatch(/invalid-spec$/);
    expect(problem.errors[0].path).toBe(path);
    expect(problem.detail).toMatch(/\d/);
    expect(await ctx.db.trainingJob.count()).toBe(before);
  });
});

describe("GET /v1/jobs", () => {
  it("reads a job, lists newest first, filters by status, and 404s unknown ids", async () => {
    const a = (await submit({ datasetId, model, training })).json();
    const b = (await submit({ datasetId, model, training })).json();
    expect((await ctx.app.inject({ url: `/v1/jobs/${a.id}` })).json()).toEqual(a);

    const list = (await ctx.app.inject({ url: "/v1/jobs?limit=2" })).json();
    expect(list.data.map((j: { id: string }) => j.id)).toEqual([b.id, a.id]);
    expect(list.nextCursor).toBe(a.id);

    await ctx.db.trainingJob.update({ where: { id: a.id }, data: { status: "failed" } });
    const failed = (await ctx.app.inject({ url: "/v1/jobs?status=failed" })).json();
    expect(failed.data.map((j: { id: string }) => j.id)).toEqual([a.id]);
    expect((await ctx.app.inject({ url: "/v1/jobs?status=lost" })).statusCode).toBe(400);

    expect((await ctx.app.inject({ url: "/v1/jobs/job_nope" })).statusCode).toBe(404);
    expect((await ctx.app.inject({ url: "/v1/jobs/job_nope/metrics" })).statusCode).toBe(404);
  });

  it("returns a job's metrics in epoch order", async () => {
    const job = (await submit({ datasetId, model, training })).json();
    expect((await ctx.app.inject({ url: `/v1/jobs/${job.id}/metrics` })).json()).toEqual({ data: [] });
    for (const epoch of [2, 1]) {
      await ctx.db.epochMetric.create({ data: { jobId: job.id, epoch, loss: 1 / epoch, learningRate: 0.1, durationMs: 5 } });
    }
    const rows = (await ctx.app.inject({ url: `/v1/jobs/${job.id}/metrics` })).json().data;
    expect(rows).toEqual([
      { epoch: 1, loss: 1, accuracy: null, valLoss: null, valAccuracy: null, mae: null, valMae: null, learningRate: 0.1, durationMs: 5 },
      { epoch: 2, loss: 0.5, accuracy: null, valLoss: null, valAccuracy: null, mae: null, valMae: null, learningRate: 0.1, durationMs: 5 },
    ]);
  });

  it("returns the metrics as CSV when asked for text/csv, with every column and empty cells for what does not apply", async () => {
    const job = (await submit({ datasetId, model, training })).json();
    for (const epoch of [1, 2]) {
      await ctx.db.epochMetric.create({ data: { jobId: job.id, epoch, loss: 1 / epoch, accuracy: 0.25 * epoch, valLoss: 2 / epoch, learningRate: 0.1, durationMs: 5 } });
    }
    const csv = await ctx.app.inject({ url: `/v1/jobs/${job.id}/metrics`, headers: { accept: "text/csv" } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toBe(`attachment; filename="${job.id}-metrics.csv"`);
    expect(csv.body).toBe("epoch,loss,accuracy,valLoss,valAccuracy,mae,valMae,learningRate,durationMs\n1,1,0.25,2,,,,0.1,5\n2,0.5,0.5,1,,,,0.1,5\n");
    const preferJson = await ctx.app.inject({ url: `/v1/jobs/${job.id}/metrics`, headers: { accept: "application/json, text/csv" } });
    expect(preferJson.json().data).toHaveLength(2);
    expect((await ctx.app.inject({ url: "/v1/jobs/job_missing/metrics", headers: { accept: "text/csv" } })).statusCode).toBe(404);
  });
});
