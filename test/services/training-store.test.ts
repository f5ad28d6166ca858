import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheckpoint, type EpochMetrics, type TrainingCheckpoint } from "../../src/engine/index.js";
import type { JobEvent } from "../../src/services/job-events.js";
import { FencedOut, JobFailure } from "../../src/services/training-errors.js";
import { bestRule } from "../../src/services/training-runner.js";
import { createTrainingStore, type TrainingStore } from "../../src/services/training-store.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// The fenced writes of a training run, against real Postgres: a stale
// attempt writes nothing, a re-run epoch replaces its rows, and every end of
// a job lands with its events in one transaction.

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0], [1]], labels: [0, 1] } })).json().id;
});
afterAll(async () => ctx?.close());

async function queuedJob(): Promise<string> {
  const res = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: { datasetId, model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 3, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } } },
  });
  return res.json().id;
}

const published: JobEvent[] = [];
const events = { publish: (_jobId: string, event: JobEvent) => void published.push(event) };

/** One epoch written alone, as a worker writes an epoch that ends 25 ms or more after the last write. */
async function recordEpoch(store: TrainingStore, { metrics, checkpoint, ...rest }: { jobId: string; attempt: number; metrics: EpochMetrics; best: Record<string, number>; checkpoint: TrainingCheckpoint }) {
  const { events: [event], ...recorded } = await store.recordEpochs({ ...rest, epochs: [{ metrics, checkpoint }] });
  return { event, ...recorded };
}

function epochMetrics(epoch: number, loss: number): EpochMetrics {
  return { epoch, loss, learningRate: 0.1, durationMs: 1 };
}

function checkpoint(epoch: number): TrainingCheckpoint {
  return {
    epoch,
    weights: { manifest: [{ name: "w", shape: [2], offset: 0 }], data: new Uint8Array(new Float32Array([epoch, -epoch]).buffer) },
    optimizer: { iterations: epoch, slots: [] },
    rng: [1, 2, 3, epoch],
    schedule: { plateauRate: 0.1, plateauBest: Infinity, plateauWait: 0, plateauCooldown: 0 },
    earlyStopping: null,
    history: Array.from({ length: epoch }, (_, i) => epochMetrics(i + 1, 1 / (i + 1))),
  };
}

describe("the training store", () => {
  it("claims a job under a new attempt each time, and fences out the older one's writes", async () => {
    const jobId = await queuedJob();
    const store = createTrainingStore({ db: ctx.db });
    const first = await store.claim(jobId, events);
    expect(first).toMatchObject({ attempt: 1, resumeEpoch: 0, checkpoint: null });
    await recordEpoch(store, { jobId, attempt: 1, metrics: epochMetrics(1, 0.9), best: { loss: 0.9, epoch: 1 }, checkpoint: checkpoint(1) });

    const second = await store.claim(jobId, events);
    expect(second).toMatchObject({ attempt: 2, resumeEpoch: 1, checkpoint: { epoch: 1 } });
    expect(decodeCheckpoint(second!.checkpoint!.data).rng).toEqual([1, 2, 3, 1]);
    await expect(recordEpoch(store, { jobId, attempt: 1, metrics: epochMetrics(2, 0.5), best: { loss: 0.5, epoch: 2 }, checkpoint: checkpoint(2) })).rejects.toBeInstanceOf(FencedOut);
    await expect(store.saveCheckpoint({ jobId, attempt: 1, checkpoint: checkpoint(2) })).rejects.toBeInstanceOf(FencedOut);
    await expect(store.finish({ jobId, attempt: 1, status: "cancelled", message: "late", done: {}, events })).rejects.toBeInstanceOf(FencedOut);

    const job = await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId }, include: { metrics: true, checkpoint: true } });
    expect(job.status).toBe("running");
    expect(job.epoch).toBe(1);
    expect(job.metrics.map((m) => m.epoch)).toEqual([1]);
    expect(job.checkpoint!.epoch).toBe(1);
    expect(job.checkpoint!.attempt).toBe(1);
  });

  it("replaces a re-run epoch's rows instead of adding to them, and keeps its checkpoint decodable", async () => {
    const jobId = await queuedJob();
    const store = createTrainingStore({ db: ctx.db });
    await store.claim(jobId, events);
    await recordEpoch(store, { jobId, attempt: 1, metrics: epochMetrics(1, 0.9), best: { loss: 0.9, epoch: 1 }, checkpoint: checkpoint(1) });
    await store.claim(jobId, events);
    const again = await recordEpoch(store, { jobId, attempt: 2, metrics: epochMetrics(1, 0.8), best: { loss: 0.8, epoch: 1 }, checkpoint: checkpoint(1) });
    expect(again.event).toMatchObject({ type: "epoch", data: { epoch: 1, loss: 0.8 } });
    const rows = await ctx.db.epochMetric.findMany({ where: { jobId } });
    expect(rows.map((r) => [r.epoch, r.loss])).toEqual([[1, 0.8]]);
    const stored = await ctx.db.checkpoint.findUniqueOrThrow({ where: { jobId } });
    expect(stored.attempt).toBe(2);
    expect(decodeCheckpoint(stored.data).rng).toEqual([1, 2, 3, 1]);
    expect((await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } })).bestMetrics).toEqual({ loss: 0.8, epoch: 1 });
  });

  it("reports a cancel requested meanwhile, through the epoch's own write", async () => {
    const jobId = await queuedJob();
    const store = createTrainingStore({ db: ctx.db });
    await store.claim(jobId, events);
    await ctx.db.trainingJob.update({ where: { id: jobId }, data: { cancelRequested: true } });
    const recorded = await recordEpoch(store, { jobId, attempt: 1, metrics: epochMetrics(1, 0.9), best: { loss: 0.9 }, checkpoint: checkpoint(1) });
    expect(recorded.cancelRequested).toBe(true);
  });

  it("ends a failed job with its error, its status and done events, and no checkpoint left", async () => {
    const jobId = await queuedJob();
    const store = createTrainingStore({ db: ctx.db });
    await store.claim(jobId, events);
    await recordEpoch(store, { jobId, attempt: 1, metrics: epochMetrics(1, 0.9), best: { loss: 0.9 }, checkpoint: checkpoint(1) });
    published.length = 0;
    await store.markFailed({ jobId, attempt: 1, failure: new JobFailure("NON_FINITE_LOSS", "the loss became NaN", 2, 1), events });
    const job = await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: jobId }, include: { checkpoint: true } });
    expect(job.status).toBe("failed");
    expect(job.error).toEqual({ code: "NON_FINITE_LOSS", message: "the loss became NaN", epoch: 2, batch: 1 });
    expect(job.finishedAt).not.toBeNull();
    expect(job.checkpoint).toBeNull();
    expect(published.map((e) => e.type)).toEqual(["status", "done"]);
    expect(published[1].data).toMatchObject({ status: "failed", error: { code: "NON_FINITE_LOSS" } });
    const stored = await ctx.db.jobEvent.findMany({ where: { jobId, type: { in: ["status", "done"] } }, orderBy: { id: "asc" } });
    expect(stored.slice(-2).map((e) => e.id.toString())).toEqual(published.map((e) => e.id));
  });
});

describe("the best epoch", () => {
  const epochs: EpochMetrics[] = [
    { epoch: 1, loss: 0.5, accuracy: 0.7, valLoss: 0.6, valAccuracy: 0.8, learningRate: 0.1, durationMs: 1 },
    { epoch: 2, loss: 0.3, accuracy: 0.9, valLoss: 0.7, valAccuracy: 0.9, learningRate: 0.1, durationMs: 1 },
    { epoch: 3, loss: 0.2, accuracy: 0.95, valLoss: 0.65, valAccuracy: 0.85, learningRate: 0.1, durationMs: 1 },
  ];
  const bestOf = (training: Parameters<typeof bestRule>[0]) => {
    const better = bestRule(training);
    return epochs.reduce<EpochMetrics | undefined>((best, m) => (better(m, best) ? m : best), undefined)!.epoch;
  };

  it("follows the user's early-stopping monitor and mode, else valLoss with validation, else loss", () => {
    expect(bestOf({ validationSplit: 0.2 })).toBe(1); // valLoss
    expect(bestOf({ validationSplit: 0 })).toBe(3); // loss
    expect(bestOf({ validationSplit: 0.2, earlyStopping: { monitor: "valAccuracy" } })).toBe(2); // max, by auto
    expect(bestOf({ validationSplit: 0.2, earlyStopping: { monitor: "accuracy", mode: "min" } })).toBe(1);
  });
});
