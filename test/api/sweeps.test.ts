import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { Prng } from "../../src/engine/index.js";
import { trainingQueuePort } from "../../src/queue/training-queue.js";
import { silentSink } from "../../src/services/job-events.js";
import { createJobService } from "../../src/services/jobs.js";
import { createSweepService, type SweepService } from "../../src/services/sweeps.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Sweeps through the API. Trials are jobs: here the test trains each queued
// one in turn and advances the sweep, as a worker's trainer and its sweep
// advancer do (test/e2e/sweep-workers.test.ts runs them in real workers).

let ctx: TestContext;
let sweeps: SweepService;
let datasetId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const jobs = createJobService({ db: ctx.db, queue: trainingQueuePort(ctx.queue), limits: loadConfig({}).limits, signals: { requestStop: async () => undefined, events: silentSink } });
  sweeps = createSweepService({ db: ctx.db, jobs });
  // Points inside or outside a circle: learnable, with a learning rate that matters.
  const rng = new Prng(5);
  const features = Array.from({ length: 240 }, () => [rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1]);
  const labels = features.map(([x, y]) => (x * x + y * y < 0.5 ? "in" : "out"));
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { name: "circle", features, labels } })).json().id;
});
afterAll(async () => ctx?.close());

const base = (epochs = 16) => ({
  datasetId,
  model: { layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs, batchSize: 8, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.25 },
});

/** 12 random learning rates x 16 epochs, successive halving at rungs 2 and 6 (eta 3), in either form. */
const ashaSweep = (maxParallel: number, mode: "stop" | "promote") => ({
  base: base(16),
  parameters: { "/training/optimizer/learningRate": { min: 1e-4, max: 0.5, distribution: "logUniform" } },
  metric: "valLoss",
  goal: "minimize",
  method: "random",
  seed: 4,
  maxTrials: 12,
  maxParallel,
  earlyTermination: { type: "asha", minEpochs: 2, reductionFactor: 3, ...(mode === "stop" ? { mode } : {}) },
});

async function create(body: object) {
  const res = await ctx.app.inject({ method: "POST", url: "/v1/sweeps", payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
}

/** Trains every queued trial, then advances the sweep, until it ends. */
async function drive(id: string) {
  for (let round = 0; round < 200; round++) {
    const sweep = (await ctx.app.inject({ url: `/v1/sweeps/${id}` })).json();
    if (sweep.status !== "running") return sweep;
    for (const trial of sweep.trials.filter((t: { status: string }) => t.status === "queued")) {
      await createTrainingRunner({ db: ctx.db }).run(trial.jobId, { lastDelivery: true });
    }
    await sweeps.advance(id);
  }
  throw new Error("the sweep did not end");
}

describe("sweeps", () => {
  it("runs a grid as jobs, at most maxParallel at once, and names the best trial and its model", async () => {
    const created = await create({
      name: "grid",
      base: base(),
      parameters: { "/training/optimizer/learningRate": { values: [0.001, 0.01, 0.1] }, "/model/layers/0/units": { values: [2, 8] } },
      metric: "valLoss",
      goal: "minimize",
      method: "grid",
      maxTrials: 10,
      maxParallel: 2,
    });
    expect(created.maxTrials).toBe(6);
    expect(created.trials.map((t: { status: string }) => t.status)).toEqual(["queued", "queued"]);
    const done = await drive(created.id);
    expect(done.status).toBe("completed");
    expect(done.trials.map((t: { parameters: object }) => t.parameters)).toEqual(
      [0.001, 0.01, 0.1].flatMap((learningRate) => [2, 8].map((units) => ({ "/training/optimizer/learningRate": learningRate, "/model/layers/0/units": units }))),
    );
    expect(done.trials.every((t: { status: string; epochs: number }) => t.status === "succeeded" && t.epochs === 16)).toBe(true);
    const metrics = done.trials.map((t: { metric: number }) => t.metric);
    expect(done.best.metric).toBe(Math.min(...metrics));
    const bestJob = (await ctx.app.inject({ url: `/v1/jobs/${done.best.jobId}` })).json();
    expect(bestJob).toMatchObject({ sweepId: created.id, resultModelId: done.best.modelId, name: `grid #${done.trials.find((t: { jobId: string }) => t.jobId === done.best.jobId).number}` });
    expect(bestJob.training.optimizer.learningRate).toBe(done.best.parameters["/training/optimizer/learningRate"]);
    expect(done.epochsTrained).toBe(96);
    const baseTrial = done.trials.find((t: { parameters: Record<string, number> }) => t.parameters["/training/optimizer/learningRate"] === 0.01 && t.parameters["/model/layers/0/units"] === 8);
    console.info(`grid of 6: best valLoss ${done.best.metric.toFixed(4)} (lr ${done.best.parameters["/training/optimizer/learningRate"]}, units ${done.best.parameters["/model/layers/0/units"]}) vs the base job's ${baseTrial.metric.toFixed(4)}`);
  });

  it("announces its completion to webhooks that asked for sweep.completed, with the best trial", async () => {
    // A public address literal: the registration passes the URL check; no dispatcher runs here, the delivery row is what is checked.
    const hook = (await ctx.app.inject({ method: "POST", url: "/v1/webhooks", payload: { url: "https://93.184.215.14/hook", events: ["sweep.completed"] } })).json();
    const done = await drive((await create({ base: base(2), parameters: { "/training/optimizer/learningRate": { values: [0.01, 0.1] } }, metric: "loss", goal: "minimize", method: "grid", maxTrials: 2, maxParallel: 2 })).id);
    const deliveries = await ctx.db.webhookDelivery.findMany({ where: { endpointId: hook.id } });
    expect(deliveries.map((d) => d.eventType)).toEqual(["sweep.completed"]);
    expect(JSON.parse(deliveries[0].payload)).toMatchObject({ type: "sweep.completed", data: { sweepId: done.id, status: "completed", trials: 2, best: { jobId: done.best.jobId, modelId: done.best.modelId, metric: done.best.metric } } });
    await ctx.app.inject({ method: "DELETE", url: `/v1/webhooks/${hook.id}` });
  });

  it("draws the same random trials from the same seed", async () => {
    const body = (seed: number) => ({ base: base(2), parameters: { "/training/optimizer/learningRate": { min: 1e-4, max: 0.3, distribution: "logUniform" }, "/training/batchSize": { values: [8, 16, 32] } }, metric: "loss", goal: "minimize", method: "random", maxTrials: 4, maxParallel: 4, seed });
    const [a, b, c] = [await drive((await create(body(11))).id), await drive((await create(body(11))).id), await drive((await create(body(12))).id)];
    const params = (s: { trials: { parameters: object }[] }) => s.trials.map((t) => t.parameters);
    expect(params(a)).toEqual(params(b));
    expect(params(a)).not.toEqual(params(c));
    expect(a.trials.map((t: { metric: number }) => t.metric)).toEqual(b.trials.map((t: { metric: number }) => t.metric));
  });

  it("in the stopping form, stops weak trials by successive halving at the rungs, training fewer epochs than the full grid", async () => {
    const done = await drive(
      (
        await create(ashaSweep(1, "stop"))
      ).id,
    );
    const pruned = done.trials.filter((t: { status: string }) => t.status === "pruned");
    console.info(`ASHA (stopping form) over 12 random learning rates, 16 epochs each: ${pruned.length} pruned, ${done.epochsTrained} epochs trained (without early termination: 192); best valLoss ${done.best.metric.toFixed(4)} at lr ${Number(done.best.parameters["/training/optimizer/learningRate"]).toPrecision(3)}`);
    expect(pruned.length).toBeGreaterThan(0);
    for (const trial of pruned) expect([2, 6]).toContain(trial.epochs);
    expect(done.epochsTrained).toBeLessThan(192);
    expect(done.trials.find((t: { jobId: string }) => t.jobId === done.best.jobId).status).not.toBe("pruned");
    const job = (await ctx.app.inject({ url: `/v1/jobs/${pruned[0].jobId}` })).json();
    expect(job.status).toBe("cancelled");
    expect(job.history.at(-1).message).toContain("successive halving");
  });

  it("promotes the best trials waiting at each rung, which resume from their checkpoints; the others are pruned", async () => {
    const done = await drive(
      (
        await create(ashaSweep(2, "promote"))
      ).id,
    );
    type Trial = { jobId: string; status: string; epochs: number; metric: number; parameters: Record<string, number> };
    const trials: Trial[] = done.trials;
    const pruned = trials.filter((t) => t.status === "pruned");
    const finished = trials.filter((t) => t.status === "succeeded");
    console.info(
      `ASHA (promotion form) over 12 random learning rates, 16 epochs each: ${pruned.length} pruned (at epochs ${pruned.map((t) => t.epochs).join(", ")}), ${finished.length} trained to the end, ${done.epochsTrained} epochs trained (without early termination: 192); best valLoss ${done.best.metric.toFixed(4)}`,
    );
    expect(pruned.length + finished.length).toBe(12);
    expect(finished.length).toBeGreaterThan(0);
    for (const trial of pruned) expect([2, 6]).toContain(trial.epochs);
    for (const trial of finished) expect(trial.epochs).toBe(16);
    expect(done.epochsTrained).toBeLessThan(192);
    // At each rung, the trials that went on were among the best there.
    const valLossAt = async (jobId: string, epoch: number) => (await ctx.db.epochMetric.findUniqueOrThrow({ where: { jobId_epoch: { jobId, epoch } } })).valLoss!;
    const atRung2 = await Promise.all(trials.map(async (t) => ({ ...t, value: await valLossAt(t.jobId, 2) })));
    const wentOn = atRung2.filter((t) => t.epochs > 2).map((t) => t.value);
    const stopped = atRung2.filter((t) => t.epochs === 2).map((t) => t.value);
    expect(Math.max(...wentOn)).toBeLessThan(Math.max(...stopped));
    expect(done.best.metric).toBe(Math.min(...finished.map((t) => t.metric)));

    // The best trial waited at both rungs and resumed from its checkpoints: every epoch once, and the losses of a run never paused.
    const best = (await ctx.app.inject({ url: `/v1/jobs/${done.best.jobId}` })).json();
    expect(best.history.filter((h: { status: string }) => h.status === "paused")).toHaveLength(2);
    expect(best.history.find((h: { status: string }) => h.status === "paused").message).toContain("rung");
    const epochEvents = await ctx.db.jobEvent.findMany({ where: { jobId: best.id, type: "epoch" }, orderBy: { id: "asc" } });
    expect(epochEvents.map((e) => (e.data as { epoch: number }).epoch)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const plain = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { ...base(16), training: { ...base(16).training, optimizer: { type: "adam", learningRate: best.training.optimizer.learningRate } } } })).json();
    await createTrainingRunner({ db: ctx.db }).run(plain.id, { lastDelivery: true });
    const losses = async (jobId: string) => (await ctx.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } })).map((r) => [r.loss, r.valLoss]);
    expect(await losses(best.id)).toEqual(await losses(plain.id));

    const prunedJob = (await ctx.app.inject({ url: `/v1/jobs/${pruned[0].jobId}` })).json();
    expect(prunedJob.status).toBe("cancelled");
    expect(prunedJob.history.at(-1).message).toContain("successive halving");
  });

  it("cancels a sweep: its queued trials end and no new one starts", async () => {
    const created = await create({ base: base(), parameters: { "/training/optimizer/learningRate": { min: 1e-3, max: 1e-1, distribution: "logUniform" } }, metric: "loss", goal: "minimize", method: "tpe", maxTrials: 10, maxParallel: 2, seed: 1 });
    const cancelled = await ctx.app.inject({ method: "POST", url: `/v1/sweeps/${created.id}/cancel` });
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json().status).toBe("cancelled");
    expect(cancelled.json().trials.map((t: { status: string }) => t.status)).toEqual(["cancelled", "cancelled"]);
    await sweeps.advance(created.id);
    expect((await ctx.app.inject({ url: `/v1/sweeps/${created.id}` })).json().trials).toHaveLength(2);
    expect((await ctx.app.inject({ method: "POST", url: `/v1/sweeps/${created.id}/cancel` })).statusCode).toBe(409);
  });

  it("answers a bad sweep with 400 and the path, and creates nothing", async () => {
    const before = await ctx.db.sweep.count();
    const cases: [object, string][] = [
      [{ parameters: { "/model/layers/9/units": { values: [4] } } }, "/parameters/~1model~1layers~19~1units"],
      [{ parameters: { "/training/optimizer/learningRate": { min: 0.1, max: 0.01, distribution: "uniform" } } }, "/parameters/~1training~1optimizer~1learningRate/max"],
      [{ method: "grid", parameters: { "/training/optimizer/learningRate": { min: 0.01, max: 0.1, distribution: "uniform" } } }, "/parameters/~1training~1optimizer~1learningRate"],
      [{ base: { ...base(), training: { ...base().training, validationSplit: 0 } } }, "/metric"],
      [{ earlyTermination: { type: "asha", minEpochs: 16, reductionFactor: 2 } }, "/earlyTermination/minEpochs"],
      [{ parameters: { "/model/layers/1/units": { values: [3] } } }, "/base/model/layers/1/units"],
    ];
    for (const [change, path] of cases) {
      const body = { base: base(), parameters: { "/training/optimizer/learningRate": { values: [0.01] } }, metric: "valLoss", goal: "minimize", method: "random", maxTrials: 2, maxParallel: 1, ...change };
      const res = await ctx.app.inject({ method: "POST", url: "/v1/sweeps", payload: body });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path), res.body).toContain(path);
    }
    expect(await ctx.db.sweep.count()).toBe(before);
  });
});
